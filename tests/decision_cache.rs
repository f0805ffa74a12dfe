//! Repeated questions are answered from the cache, and the cache never outlives what the
//! answer depends on: the token's validity window and the bundle.

mod support;

use serde_json::json;
use tessera::rbac::{RbacRequest, ResourceAttributes};
use tessera::{Bundle, Engine, UnixTime};

const NOW: UnixTime = UnixTime(1_795_341_600); // 2026-11-22T10:00:00Z

fn ask(verb: &str) -> RbacRequest {
    RbacRequest::Resource(ResourceAttributes::from_kubectl(
        verb,
        "pods",
        "",
        "top-secret",
    ))
}

#[test]
fn a_repeated_question_gets_the_same_answer_from_the_cache() {
    let mut engine = Engine::from_json(support::example_bundle().as_bytes()).unwrap();
    let token = support::mint(
        &support::example_document(),
        &json!({"issuer": "legacy", "account": "top-secret/robot"}),
        NOW,
    );
    let first = engine.authorize_shared(&token, &ask("get"), NOW);
    let again = engine.authorize_shared(&token, &ask("get"), NOW);
    assert!(
        std::sync::Arc::ptr_eq(&first, &again),
        "served from the cache"
    );
    assert_eq!(first.status, 200);
    let other = engine.authorize_shared(&token, &ask("delete"), NOW);
    assert_eq!(
        other.status, 403,
        "another question is decided, not served the first answer"
    );
    assert_eq!(engine.authorize(&token, &ask("get"), NOW), *first);
}

/// The example engine, and a bound token of `top-secret/robot` that expires 100 s after `NOW`.
fn engine_and_robot_token_ending_in_100s() -> (Engine, String) {
    let engine = Engine::from_json(support::example_bundle().as_bytes()).unwrap();
    let token = support::mint(
        &support::example_document(),
        &json!({"issuer": "cluster", "account": "top-secret/robot", "exp_in": 100}),
        NOW,
    );
    (engine, token)
}

#[test]
fn a_cached_answer_ends_with_the_token() {
    let (mut engine, token) = engine_and_robot_token_ending_in_100s();
    assert_eq!(engine.authorize(&token, &ask("get"), NOW).status, 200);
    let later = engine.authorize(&token, &ask("get"), NOW.plus(100 + 61));
    assert_eq!((later.allowed, later.status), (false, 401));
    assert_eq!(later.reasons, vec!["token-expired"]);
}

#[test]
fn a_new_bundle_empties_the_cache_so_revocations_take_effect() {
    let mut engine = Engine::from_json(support::example_bundle().as_bytes()).unwrap();
    let token = support::mint(
        &support::example_document(),
        &json!({"issuer": "legacy", "account": "top-secret/robot"}),
        NOW,
    );
    assert_eq!(engine.authorize(&token, &ask("get"), NOW).status, 200);
    let mut document = support::example_document();
    document.revision += 1;
    for account in &mut document.service_accounts {
        if account.name == "robot" {
            account.secrets.retain(|s| s != "robot-token-r2d7x");
        }
    }
    engine
        .update(Bundle::from_document(document).unwrap(), NOW)
        .unwrap();
    let after = engine.authorize(&token, &ask("get"), NOW);
    assert_eq!((after.allowed, after.status), (false, 401));
    assert_eq!(after.reasons, vec!["secret-deleted"]);
}

#[test]
fn refusals_are_never_cached_as_grants() {
    let mut engine = Engine::from_json(support::example_bundle().as_bytes()).unwrap();
    for _ in 0..3 {
        let d = engine.authorize("not.a.token", &ask("get"), NOW);
        assert_eq!((d.allowed, d.status), (false, 401));
    }
    assert_eq!(engine.cached_tokens(), 0);
}

#[test]
fn the_status_by_ticket_is_the_decision_s_status_before_and_after_the_token_ends() {
    use tessera::cache::{Question, Ticket};
    let (mut engine, token) = engine_and_robot_token_ending_in_100s();
    let (get, delete) = (Question::new(ask("get")), Question::new(ask("delete")));
    let mut ticket = Ticket::default();
    for round in 0..3 {
        // The first round decides (and renews the ticket), the next ones answer by ticket.
        for (question, want) in [(&get, 200), (&delete, 403)] {
            let status = engine.status_with_ticket(&token, &mut ticket, question, NOW);
            assert_eq!(status, want, "round {round}");
            let full = engine.authorize_with_ticket(&token, &mut ticket, question, NOW);
            assert_eq!(full.status, status, "round {round}");
        }
    }
    let later = NOW.plus(100 + 61);
    assert_eq!(
        engine.status_with_ticket(&token, &mut ticket, &get, later),
        401
    );
    assert_eq!(
        engine
            .authorize_with_ticket(&token, &mut ticket, &get, later)
            .reasons,
        vec!["token-expired"]
    );
}
