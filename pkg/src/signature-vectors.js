// What the host signature verifiers (node:crypto's, WebCrypto's) share: the algorithm families
// and one known signature per family, with which each family is self-tested before the host's
// math is trusted with it.

/** PSS salt lengths (the hash's length, as JWS requires). */
export const PSS_SALT = { PS256: 32, PS384: 48, PS512: 64 };
/** Each algorithm's family: the self-test of the family stands for all its algorithms. */
export const FAMILY = {
  RS256: 'RS256', RS384: 'RS256', RS512: 'RS256',
  PS256: 'PS256', PS384: 'PS256', PS512: 'PS256',
  ES256: 'ES256', ES384: 'ES384', EdDSA: 'EdDSA',
};

// A signature per family over SELF_TEST_MESSAGE, made with the repository's demo keys (public
// halves only here) and one P-384 key made for this purpose.
export const SELF_TEST_MESSAGE = 'tessera: host signature self-test';
export const SELF_TEST = {
  RS256: { jwk: {"kty":"RSA","n":"syXTi-l1FBkrClYV_9BeFXNG2YypZ7_33DQXbPz4B-NaLSQ9n3L7wLE_APm-lV_Gy12TaLW3iGF2CQq8vk4WnqhWzxIKN0ysfhwCKAftCG6Xq2qt41hTdoGtZR-LelT1uy0DxXszKhcHNCgR_C6ftZBRLOIuYRotRVnKrIB0Rn-7P2-On-bj9bWkCXqQ8AhrQwUz4NdoS01llZrQijFS3_4i4ysLc1hg_yWq_NDLF1zKyZehPtTsOxIEIzCcorXANt2UqFL1dBYZF--b5UAL8-axQbVZMHJr4CirS-9KS12Jt0DWLQ_DXbuH0iPzjweRBuWPw9ULHErtFWZ6GrqNaQ","e":"AQAB"}, sig: 'e8XPAfU0rUXL0zHAp9uwaqd1gzk7eQ5UVsVFN2CmGmFZBCxKmXC6BGAzQDTMPO7AruB0jprTGvKWfF52QF4rVIF7JOXeuH4WQ6sOjl3UmNwrooTUWrw89sFf1nSdRPDteEz2gashUUn0BjSUE7lSotGM7BIn9Xf7XxsbI9Ylj2gnTVxMbTsIqoawy5-_N77QQ3Egi823S8zYqIIXDewp0hR2NuoABtZ7NGfjWekozGWg09Q2uGLP866-hkEoQ6wJ1utb0TxVbdHGJOIBQI2GFCfJ-NhpeTfjV_DOVBF3P6C8Z3ouOYUSkVuDXDFh4u9c3DHRhIB2zLoEwBLJvgQChQ' },
  PS256: { jwk: {"kty":"RSA","n":"syXTi-l1FBkrClYV_9BeFXNG2YypZ7_33DQXbPz4B-NaLSQ9n3L7wLE_APm-lV_Gy12TaLW3iGF2CQq8vk4WnqhWzxIKN0ysfhwCKAftCG6Xq2qt41hTdoGtZR-LelT1uy0DxXszKhcHNCgR_C6ftZBRLOIuYRotRVnKrIB0Rn-7P2-On-bj9bWkCXqQ8AhrQwUz4NdoS01llZrQijFS3_4i4ysLc1hg_yWq_NDLF1zKyZehPtTsOxIEIzCcorXANt2UqFL1dBYZF--b5UAL8-axQbVZMHJr4CirS-9KS12Jt0DWLQ_DXbuH0iPzjweRBuWPw9ULHErtFWZ6GrqNaQ","e":"AQAB"}, sig: 'qHfSmZG2tf1RsNQlR8jAekEExdr6rNhMPPBbqvbcdqQ623JL69jJay1VLDnQqcx66t_JxJTA1Njuovm0fHDscDssKr3-O-C95z2G9UgE8_hNdQ9psS14rXOY2bKLOIIAs_oGLdPKbcwyWl9BDYnby6WQRSFELWfuvv0FONHz29qNVI2M17uCbm32flzrSiH2cNAfFWbzI1wisV0F0ekWUcvCyrHfxl6rEU06jvwgqsBwQ6LFAqRdvhC8Ic1Z9N5Ux7EpW30pQoFzB-N8K9cQ-3aYRhKLYOtMrA9eSU-NllnzioJG1l0WfnsYHgd1oQeBVfOrkO7oUX5DS0f023ZKCA' },
  ES256: { jwk: {"kty":"EC","x":"QuDMh0xMEY4uOhKGbW-ZcbmOcDxeCKYO_GwesolARw8","y":"6K3HlLxtLauMHjCBpCl-WhMclr28LlphjuruwtwbJqQ","crv":"P-256"}, sig: 'OaMY6A7gLpv3OPEkIKlbHFKgLX-3qqQ30Xh2qiKBXd2RwNHaKms2ZjAWNQlbIHNUn7_ks1JrDXj-WipgSDYlSQ' },
  ES384: { jwk: {"kty":"EC","x":"YBz3uB5z_hlFI-8pD7QamqYjbzmYTGC9HgvfkXRrOgnz1tMBIJEg22Pj9Iieb9cB","y":"Y4-qRqj9e3VOZndoLq_b8IdsnIEJlbfh3SkOcxnPGaf4Z8eS9p50GgTdlT4qI0vX","crv":"P-384"}, sig: 'Z-dvNh5DfY2m-kO0jNS6Nxxi3qjR33XWkJZHKWrVoXtlkuE7QMtnHYUlj_3UsWV3A_g2p-tLrVT7m9imN5EW0nyq76fgcRDuDp44RDXHv9uIAnx3RHgcAtn0LzcXwmc3' },
  EdDSA: { jwk: {"crv":"Ed25519","x":"77aTRX0Qu35HSyz2mGf3CHoKy3qkKrUwh_7jAzxAVQA","kty":"OKP"}, sig: '6Tc1GkUrqJIZfFqCDXvelUXeWRuAhSKgxp0Zc0AhtgNFBCKA1yt22Igt731oJ4xUxGSgy6NWrxnHV4OsqnMZCA' },
};
