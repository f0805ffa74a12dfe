// RBAC as Cedar policies, for the Cedar contender (bench/lib/contenders.mjs, bench/cold.mjs): a
// RoleBinding of ClusterRole R in namespace N to account A becomes the membership of
// ServiceAccount A in Grant "N/R"; a Pod in N carries attribute `podReaders` = Grant
// "N/pod-reader".
export const CEDAR_POLICIES = `
permit(principal, action in [Action::"get", Action::"list", Action::"watch"], resource is Pod)
  when { principal in resource.podReaders };
permit(principal, action in [Action::"get", Action::"list", Action::"watch"], resource is ConfigMap)
  when { principal in resource.configReaders };
permit(principal, action, resource is Deployment)
  when { principal in resource.deployers };
`;
