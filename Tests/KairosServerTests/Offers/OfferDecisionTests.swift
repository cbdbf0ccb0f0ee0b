import HummingbirdTesting
import KairosCore
import Testing

/// Offers, levers and campaigns through the admin API, and `/v1/decide` at action placements.
@Suite struct OfferDecisionTests {
    /// Three offers of different value; one needs gold tier, one fits only the home page.
    static let setup: [(String, String)] = [
        ("/v1/admin/placements/app_home", #"{"actions":{"channel":"inapp","exploration":{"policy":"greedy"}},"limit":1}"#),
        ("/v1/admin/offers/bundle_small", #"{"issue":"retention","group":"bundles","value":5,"channels":{"inapp":{"title":"Small for {{profile.traits.name}}"}}}"#),
        ("/v1/admin/offers/bundle_big", #"{"issue":"retention","group":"bundles","value":20,"channels":{"inapp":{"title":"Big"}},"applicability":"context.page == \"home\""}"#),
        ("/v1/admin/offers/gold_upgrade", #"{"issue":"sales","group":"upgrades","value":50,"channels":{"inapp":{"title":"Gold"}},"eligibility":"profile.traits.tier == \"gold\""}"#),
    ]

    static func prepare(_ client: any TestClientProtocol, extra: [(String, String)] = []) async throws {
        for (path, body) in setup + extra {
            let (status, answer) = try await client.send(.put, path, json: body)
            #expect(status == 200, "\(path): \(answer)")
        }
        try await client.send(.post, "/v1/identify", key: Keys.write, json: #"{"userId":"ann","traits":{"name":"Ann","tier":"silver"}}"#)
    }

    static func decide(_ client: any TestClientProtocol, _ body: String) async throws -> JSONValue {
        let (status, answer) = try await client.send(.post, "/v1/decide", key: Keys.write, json: body)
        #expect(status == 200, "\(answer)")
        return answer
    }

    @Test func theHighestPriorityWinsWithItsPayloadAndTheAuditSaysWhyTheOthersLost() async throws {
        try await withKairos { client in
            try await Self.prepare(client)
            let home = try await Self.decide(client, #"{"userId":"ann","placement":"app_home","context":{"page":"home"},"audit":true}"#)
            #expect(home["actions"]?[0]?["id"] == "bundle_big")
            #expect(home["actions"]?[0]?["payload"]?["title"] == "Big")
            #expect(home["noAction"] == false)
            let audit = home["audit"]?.arrayValue ?? []
            let stages = Dictionary(uniqueKeysWithValues: audit.map { ($0["id"]?.stringValue ?? "", $0["stage"]?.stringValue ?? "") })
            #expect(stages == ["gold_upgrade": "eligibility", "bundle_small": "outranked"])
            let reason = try #require(home["actions"]?[0]?["reasons"]?[0]?.stringValue)
            #expect(reason.hasPrefix("priority "), "\(reason)")
            // Elsewhere the big bundle does not apply; the small one's template sees the profile.
            let other = try await Self.decide(client, #"{"userId":"ann","placement":"app_home","context":{"page":"cart"}}"#)
            #expect(other["actions"]?[0]?["id"] == "bundle_small")
            #expect(other["actions"]?[0]?["payload"]?["title"] == "Small for Ann")
            #expect(other["audit"] == nil)
        }
    }

    @Test func aSecondWinnerWhoseCampaignBudgetTheFirstTookIsDroppedNotReplaced() async throws {
        try await withKairos { client in
            for (path, body) in [
                ("/v1/admin/placements/two", #"{"actions":{"channel":"inapp","exploration":{"policy":"greedy"}},"limit":2}"#),
                ("/v1/admin/campaigns/spring", #"{"budget":{"perDay":1}}"#),
                ("/v1/admin/offers/first", #"{"issue":"i","group":"a","value":30,"campaign":"spring","channels":{"inapp":{"title":"1"}}}"#),
                ("/v1/admin/offers/second", #"{"issue":"i","group":"b","value":20,"campaign":"spring","channels":{"inapp":{"title":"2"}}}"#),
                ("/v1/admin/offers/third", #"{"issue":"i","group":"c","value":10,"channels":{"inapp":{"title":"3"}}}"#),
            ] {
                let (status, answer) = try await client.send(.put, path, json: body)
                #expect(status == 200, "\(path): \(answer)")
            }
            // Both campaign offers fit the one unit left when scored; the first reserves it, so the
            // second is dropped at reservation (stage budget) and its slot stays empty.
            let answer = try await Self.decide(client, #"{"userId":"ann","placement":"two","audit":true}"#)
            #expect(answer["actions"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == ["first"])
            let audit = answer["audit"]?.arrayValue ?? []
            let stages = Dictionary(uniqueKeysWithValues: audit.map { ($0["id"]?.stringValue ?? "", $0["stage"]?.stringValue ?? "") })
            #expect(stages["second"] == "budget")
            #expect(stages["third"] == "outranked")
            // The campaign is used up: both of its offers are left out before scoring now.
            let next = try await Self.decide(client, #"{"userId":"ann","placement":"two","audit":true}"#)
            #expect(next["actions"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == ["third"])
            let used = (next["audit"]?.arrayValue ?? []).filter { $0["stage"] == "budget" }.compactMap { $0["id"]?.stringValue }
            #expect(Set(used) == ["first", "second"])
        }
    }

    @Test func theLogKeepsEveryCandidatesFirstSlotProbabilityForOffPolicyEvaluation() async throws {
        try await withKairos { client in
            try await Self.prepare(
                client, extra: [("/v1/admin/placements/app_home", #"{"actions":{"channel":"inapp","exploration":{"policy":"epsilon-greedy","epsilon":0.2}}}"#)])
            let answer = try await Self.decide(client, #"{"userId":"ann","placement":"app_home","context":{"page":"home"}}"#)
            let id = try #require(answer["decisionId"]?.stringValue)
            var logged: JSONValue = .null
            for _ in 0..<50 {
                logged = try await client.send(.get, "/v1/admin/decisions/\(id)").body
                if logged["response"] != nil { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            // The response as sent, and after it what evaluation needs.
            #expect(logged["response"]?["actions"] == answer["actions"])
            let learning = try #require(logged["response"]?["learning"])
            // Candidates column by column.
            let ids = learning["offers"]?["id"]?.arrayValue?.compactMap(\.stringValue) ?? []
            #expect(ids.count == 2)  // the gold upgrade is not eligible
            let probabilities = learning["offers"]?["probability"]?.arrayValue?.compactMap(\.numberValue) ?? []
            #expect(probabilities.sorted() == [0.1, 0.9])
            let chosen = try #require(learning["chosen"]?.stringValue)
            #expect(chosen == answer["actions"]?[0]?["id"]?.stringValue)
            #expect(learning["winners"] == .array([.string(chosen)]))
            #expect(learning["propensity"]?.numberValue == probabilities[try #require(ids.firstIndex(of: chosen))])
            #expect(learning["context"]?["trait:tier=silver"] == 1)
            // The in-process arbitration time is measured.
            let metrics = try await client.send(.get, "/metrics", key: nil).body.stringValue ?? ""
            #expect(metrics.contains("kairos_decide_arbitration_duration_seconds_count"))
        }
    }

    @Test func nothingClearsTheThresholdIsAnExplicitNoAction() async throws {
        try await withKairos { client in
            try await Self.prepare(
                client, extra: [("/v1/admin/placements/picky", #"{"actions":{"channel":"inapp","threshold":1000,"exploration":{"policy":"greedy"}}}"#)])
            let answer = try await Self.decide(client, #"{"userId":"ann","placement":"picky","audit":true}"#)
            #expect(answer["actions"] == .array([]))
            #expect(answer["noAction"]?.stringValue?.contains("threshold") == true)
            #expect(answer["audit"]?.arrayValue?.contains { $0["stage"] == "threshold" } == true)
        }
    }

    @Test func suppressionRulesRestAnOfferAfterImpressionsADismissalAndWhileAConditionHolds() async throws {
        try await withKairos { client in
            try await Self.prepare(
                client,
                extra: [
                    ("/v1/admin/offers/bundle_big", #"{"issue":"retention","group":"bundles","value":20,"channels":{"inapp":{"title":"Big"}},"suppression":[{"impressions":2,"within":"14d"}]}"#),
                    ("/v1/admin/offers/bundle_small", #"{"issue":"retention","group":"bundles","value":5,"channels":{"inapp":{"title":"Small"}},"suppression":[{"dismissed":true},{"when":"profile.traits.complaint_open == true"}]}"#),
                ])
            let request = #"{"userId":"ann","placement":"app_home","audit":true}"#
            for _ in 0..<2 { #expect(try await Self.decide(client, request)["actions"]?[0]?["id"] == "bundle_big") }
            // Shown twice without a response: rested.
            var answer = try await Self.decide(client, request)
            #expect(answer["actions"]?[0]?["id"] == "bundle_small")
            #expect(answer["audit"]?.arrayValue?.first { $0["id"] == "bundle_big" }?["stage"] == "suppression")
            // A dismissal rests the small one too (named the snake_case way, without a decision):
            // nothing is left.
            try await client.send(
                .post, "/v1/track", key: Keys.write,
                json: #"{"userId":"ann","event":"Offer Dismissed","properties":{"offer_id":"bundle_small"}}"#)
            answer = try await Self.decide(client, request)
            #expect(answer["actions"] == .array([]))
            #expect(answer["noAction"]?.stringValue != nil)
        }
    }

    @Test func aComplaintSuppressesAndAValidityWindowExcludes() async throws {
        try await withKairos { client in
            try await Self.prepare(
                client,
                extra: [
                    ("/v1/admin/offers/bundle_big", #"{"issue":"retention","group":"bundles","value":20,"channels":{"inapp":{"title":"Big"}},"validTo":"2001-01-01T00:00:00Z"}"#),
                    ("/v1/admin/offers/bundle_small", #"{"issue":"retention","group":"bundles","value":5,"channels":{"inapp":{"title":"Small"}},"suppression":[{"when":"profile.traits.complaint_open == true"}]}"#),
                ])
            try await client.send(.post, "/v1/identify", key: Keys.write, json: #"{"userId":"ann","traits":{"complaint_open":true}}"#)
            let answer = try await Self.decide(client, #"{"userId":"ann","placement":"app_home","audit":true}"#)
            let stages = Dictionary(uniqueKeysWithValues: (answer["audit"]?.arrayValue ?? []).map { ($0["id"]?.stringValue ?? "", $0["stage"]?.stringValue ?? "") })
            #expect(stages["bundle_big"] == "validity")
            #expect(stages["bundle_small"] == "suppression")
        }
    }

    @Test func aLeverChangeTakesEffectOnTheNextDecision() async throws {
        try await withKairos { client in
            try await Self.prepare(client)
            let request = #"{"userId":"ann","placement":"app_home","context":{"page":"home"}}"#
            #expect(try await Self.decide(client, request)["actions"]?[0]?["id"] == "bundle_big")
            // Retention bundles weigh a tenth now: a 5-valued sales offer for everyone wins.
            try await client.send(.put, "/v1/admin/offers/plain", json: #"{"issue":"sales","group":"plain","value":5,"channels":{"inapp":{"title":"Plain"}}}"#)
            let (status, _) = try await client.send(.put, "/v1/admin/levers/calm_retention", json: #"{"issue":"retention","weight":0.1}"#)
            #expect(status == 200)
            let answer = try await Self.decide(client, request)
            #expect(answer["actions"]?[0]?["id"] == "plain")
            #expect(try await client.send(.delete, "/v1/admin/levers/calm_retention").status == 204)
            #expect(try await Self.decide(client, request)["actions"]?[0]?["id"] == "bundle_big")
        }
    }

    @Test func outboundPlacementsNeedMarketingConsent() async throws {
        try await withKairos { client in
            try await Self.prepare(
                client,
                extra: [
                    ("/v1/admin/channels/inapp", #"{"type":"inapp"}"#),
                    ("/v1/admin/placements/push_nba", #"{"actions":{"channel":"inapp","outbound":true,"exploration":{"policy":"greedy"}}}"#),
                ])
            #expect(try await Self.decide(client, #"{"userId":"ann","placement":"push_nba"}"#)["actions"]?[0] != nil)
            try await client.send(.put, "/v1/profiles/ann/consent", json: #"{"marketing":false}"#)
            let answer = try await Self.decide(client, #"{"userId":"ann","placement":"push_nba"}"#)
            #expect(answer["actions"] == .array([]))
            #expect(answer["noAction"] == "no marketing consent")
        }
    }

    @Test func badOffersAndPlacementsAre422sNamingTheField() async throws {
        try await withKairos { client in
            let cases: [(String, String, String)] = [
                ("/v1/admin/offers/x", #"{"group":"g","channels":{"inapp":{}}}"#, "issue"),
                ("/v1/admin/offers/x", #"{"issue":"i","group":"g","channels":{"inapp":{}},"eligibility":"profile.traits.tier =="}"#, "eligibility"),
                ("/v1/admin/offers/x", #"{"issue":"i","group":"g","channels":{"inapp":{}},"suppression":[{"impressions":3}]}"#, "suppression"),
                ("/v1/admin/offers/x", #"{"issue":"i","group":"g","channels":{"inapp":{}},"budget":{"perDay":0}}"#, "budget"),
                ("/v1/admin/offers/x", #"{"issue":"i","group":"g","channels":{"inapp":{}},"campaign":"nope"}"#, "campaign"),
                ("/v1/admin/offers/x", #"{"issue":"i","group":"g","channels":{"inapp":{}},"value":"\"abc\""}"#, "value"),
                ("/v1/admin/placements/p", #"{"actions":{"channel":"inapp","priority":"propensity * bogus"}}"#, "actions.priority"),
                ("/v1/admin/placements/p", #"{"actions":{"channel":"inapp","exploration":{"policy":"random"}}}"#, "actions"),
                ("/v1/admin/levers/l", #"{"issue":"i","weight":-1}"#, "weight"),
                ("/v1/admin/offers/x", #"{"issue":"i","group":"g","channels":{"inapp":{}},"eligibility":"propensity > 0.1"}"#, "eligibility"),
                ("/v1/admin/offers/x", #"{"issue":"i","group":"g","channels":{"inapp":{}},"value":-1}"#, "value"),
                ("/v1/admin/offers/x", #"{"issue":"i","group":"g","channels":{"inapp":{}},"suppression":{"impressions":2}}"#, "suppression"),
                ("/v1/admin/levers/l", #"{"issue":"i","weight":"high"}"#, "weight"),
                ("/v1/admin/levers/l", #"{"weight":2}"#, "issue"),
                ("/v1/admin/campaigns/c", #"{"budget":{"perDay":0}}"#, "budget"),
                ("/v1/admin/placements/p", #"{"actions":["inapp"]}"#, "actions"),
                ("/v1/admin/placements/p", #"{"actions":{"channel":"inapp","priority":"offer.name + \"!\""}}"#, "actions.priority"),
                ("/v1/admin/placements/p", #"{"actions":{"channel":"inapp","outbound":"yes"}}"#, "actions"),
                ("/v1/admin/offers/x", #"{"issue":"i","group":"g","channels":{"inapp":{}},"validFrom":"2026-02-01T00:00:00Z","validTo":"2026-01-01T00:00:00Z"}"#, "validTo"),
                ("/v1/admin/offers/x", #"{"issue":"i","group":"g","channels":{"inapp":{}},"validFrom":"soon"}"#, "validFrom"),
                ("/v1/admin/offers/x", #"{"issue":"i","group":"g","channels":{"inapp":{}},"prior":1.5}"#, "prior"),
                ("/v1/admin/offers/x", #"{"issue":"i","group":"g","channels":{"inapp":{}},"positive":[]}"#, "positive"),
                ("/v1/admin/offers/x", #"{"issue":"i","group":"g","channels":{"inapp":{}},"positive":["Offer Clicked", 3]}"#, "positive"),
                ("/v1/admin/offers/x", #"{"issue":"i","group":"g","channels":{"inapp":{}},"suppression":[{"when":"true","within":"3d"}]}"#, "suppression"),
                ("/v1/admin/offers/x", #"{"issue":"i","group":"g","channels":{"inapp":{}},"suppression":[{"dismissed":true,"accepted":true}]}"#, "suppression"),
                ("/v1/admin/offers/x", #"{"issue":"i","group":"g","channels":{"inapp":{}},"budget":{"weekly":3}}"#, "budget"),
                ("/v1/admin/offers/x", #"{"issue":"i","group":"g","channels":{"inapp":"hello"}}"#, "channels"),
                ("/v1/admin/offers/x", #"{"issue":"i","group":"g","channels":{}}"#, "channels"),
                ("/v1/admin/offers/x", #"{"issue":"i","group":"g","channels":{"inapp":{"title":"Hi {{profile.traits.}}"}}}"#, "channels.inapp.title"),
                ("/v1/admin/offers/x", #"{"issue":"i","group":"g","channels":{"inapp":{}},"attributes":[1]}"#, "attributes"),
                ("/v1/admin/offers/x", #"{"issue":"i","group":"g","channels":{"inapp":{}},"lever":-2}"#, "lever"),
                ("/v1/admin/campaigns/c", #"{"budget":{}}"#, "budget"),
                ("/v1/admin/campaigns/c", #"{}"#, "budget"),
                ("/v1/admin/placements/p", #"{"actions":{"issues":"retention","channel":"inapp"}}"#, "actions"),
                ("/v1/admin/placements/p", #"{"actions":{"channel":"inapp","threshold":"high"}}"#, "actions"),
                ("/v1/admin/placements/p", #"{"actions":{"channel":"inapp","exploration":{"policy":"epsilon-greedy","epsilon":1}}}"#, "actions"),
                ("/v1/admin/placements/p", #"{"actions":{"channel":"inapp","attributionWindow":"soon"}}"#, "actions"),
                ("/v1/admin/placements/p", #"{"actions":{"outbound":true}}"#, "actions"),
                ("/v1/admin/triggers/t", #"{"when":"true","channel":"inapp"}"#, "message"),
            ]
            for (path, body, field) in cases {
                let (status, answer) = try await client.send(.put, path, json: body)
                #expect(status == 422, "\(body): \(answer)")
                #expect(answer["error"]?["field"]?.stringValue == field, "\(body): \(answer)")
            }
            #expect(try await client.send(.get, "/v1/admin/offers").body["offers"] == .array([]))
            // A decide body with a bad audit flag is refused before anything is decided.
            try await Self.prepare(client)
            let (status, answer) = try await client.send(
                .post, "/v1/decide", key: Keys.write, json: #"{"userId":"ann","placement":"app_home","audit":"yes"}"#)
            #expect(status == 422 && answer["error"]?["field"] == "audit")
        }
    }

    @Test func aCampaignInUseCannotBeDeletedAndTheRequestsExcludeIsHonoured() async throws {
        try await withKairos { client in
            try await Self.prepare(
                client,
                extra: [
                    ("/v1/admin/campaigns/spring", #"{"budget":{"perDay":100}}"#),
                    ("/v1/admin/offers/bundle_small", #"{"issue":"retention","group":"bundles","value":5,"channels":{"inapp":{"title":"S"}},"campaign":"spring"}"#),
                ])
            let (status, answer) = try await client.send(.delete, "/v1/admin/campaigns/spring")
            #expect(status == 409, "\(answer)")
            #expect(try await client.send(.get, "/v1/admin/campaigns/spring").body["budgetUsed"]?["today"] == 0)
            let decision = try await Self.decide(
                client, #"{"userId":"ann","placement":"app_home","context":{"page":"home"},"exclude":["bundle_big"],"audit":true}"#)
            #expect(decision["actions"]?[0]?["id"] == "bundle_small")
            #expect(decision["audit"]?.arrayValue?.first { $0["id"] == "bundle_big" }?["stage"] == "excluded")
            #expect(try await client.send(.get, "/v1/admin/campaigns/spring").body["budgetUsed"]?["today"] == 1)
        }
    }
}

extension JSONValue {
    /// The element at `index` of a list.
    subscript(index: Int) -> JSONValue? {
        guard case .array(let elements) = self, elements.indices.contains(index) else { return nil }
        return elements[index]
    }
}
