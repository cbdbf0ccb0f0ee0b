import Foundation
import HummingbirdTesting
import KairosCore
import Testing

@Suite struct ProfilesTests {
    @Test func withdrawnAnalyticsConsentMeansEventsAreAcknowledgedButNotStored() async throws {
        try await withKairos { client in
            try await client.send(.post, "/v1/track", key: Keys.write, json: #"{"userId":"c1","event":"Before"}"#)
            let withdraw = try await client.send(
                .post, "/v1/track", key: Keys.write,
                json: #"{"userId":"c1","event":"Opt Out","properties":{"secret":"do-not-keep"},"context":{"consent":{"categoryPreferences":{"analytics":false}}}}"#)
            #expect(withdraw.status == 200)
            let after = try await client.send(
                .post, "/v1/batch", key: Keys.write,
                json: #"{"batch":[{"type":"track","userId":"c1","event":"After"},{"type":"page","userId":"c1","name":"Home"}]}"#)
            #expect(after.status == 200)
            #expect(after.body["accepted"] == 2)
            let profile = try await client.send(.get, "/v1/profiles/c1").body
            #expect(profile["consent"]?["purposes"]?["analytics"] == false)
            #expect(profile["eventCounts"] == ["Before": 1])
            let events = try await client.send(.get, "/v1/profiles/c1/events").body["events"]?.arrayValue ?? []
            #expect(events.map { $0["type"] } == ["consent", "track"])
            #expect(!JSONWriter.string(.array(events)).contains("do-not-keep"))
            let metrics = try await client.send(.get, "/metrics", key: nil).body.stringValue ?? ""
            #expect(metrics.contains(#"kairos_events_total{outcome="withheld_no_consent"}"#))
        }
    }

    @Test func consentCanBeSetThroughTheAPI() async throws {
        try await withKairos { client in
            try await client.send(.post, "/v1/identify", key: Keys.write, json: #"{"userId":"c2","anonymousId":"ca2"}"#)
            let put = try await client.send(.put, "/v1/profiles/ca2/consent", json: #"{"analytics":false,"marketing":false}"#)
            #expect(put.status == 200)
            #expect(put.body["purposes"]?["marketing"] == false)
            #expect(put.body["purposes"]?["personalization"] == true)
            try await client.send(.post, "/v1/track", key: Keys.write, json: #"{"anonymousId":"ca2","event":"Ignored"}"#)
            #expect(try await client.send(.get, "/v1/profiles/c2").body["eventCounts"]?["Ignored"] == nil)
            let bad = try await client.send(.put, "/v1/profiles/c2/consent", json: #"{"analytics":"no"}"#)
            #expect(bad.status == 422)
            #expect(bad.body["error"]?["field"] == "consent.analytics")
            #expect(try await client.send(.put, "/v1/profiles/nobody/consent", json: #"{"analytics":true}"#).status == 404)
            // Granting again restores storage.
            try await client.send(.put, "/v1/profiles/c2/consent", json: #"{"categoryPreferences":{"Analytics":true}}"#)
            try await client.send(.post, "/v1/track", key: Keys.write, json: #"{"userId":"c2","event":"Kept"}"#)
            #expect(try await client.send(.get, "/v1/profiles/c2").body["eventCounts"]?["Kept"] == 1)
        }
    }

    @Test func eventsArePagedNewestFirst() async throws {
        try await withKairos { client in
            let batch = (1...25).map { #"{"type":"track","userId":"p1","event":"E\#($0)","messageId":"pm\#($0)"}"# }
            try await client.send(.post, "/v1/batch", key: Keys.write, json: #"{"batch":[\#(batch.joined(separator: ","))]}"#)
            let first = try await client.send(.get, "/v1/profiles/p1/events?limit=10").body
            #expect(first["events"]?.arrayValue?.first?["event"] == "E25")
            let next = first["nextBefore"]?.numberValue.map { Int($0) } ?? 0
            let second = try await client.send(.get, "/v1/profiles/p1/events?limit=10&before=\(next)").body
            #expect(second["events"]?.arrayValue?.first?["event"] == "E15")
            let bad = try await client.send(.get, "/v1/profiles/p1/events?limit=0")
            #expect(bad.status == 422)
            #expect(bad.body["error"]?["field"] == "limit")
            #expect(try await client.send(.get, "/v1/profiles/nobody/events").status == 404)
        }
    }

    @Test func idsAreMatchedWhateverCharactersTheyHold() async throws {
        try await withKairos { client in
            try await client.send(.post, "/v1/track", key: Keys.write, json: #"{"userId":"ada lovelace/ü?#","event":"E"}"#)
            let profile = try await client.send(.get, "/v1/profiles/ada%20lovelace%2F%C3%BC%3F%23")
            #expect(profile.status == 200)
            #expect(profile.body["id"] == "ada lovelace/ü?#")
            #expect(try await client.send(.delete, "/v1/profiles/ada%20lovelace%2F%C3%BC%3F%23").status == 200)
        }
    }

    @Test func aWriteKeySentInTheBodyIsNeverStored() async throws {
        try await withKairos { client in
            try await client.send(
                .post, "/v1/track", key: nil, json: #"{"userId":"wk","event":"E","writeKey":"\#(Keys.write)"}"#)
            let events = try await client.send(.get, "/v1/profiles/wk/events").body
            #expect(events["events"]?.arrayValue?.count == 1)
            #expect(!JSONWriter.string(events).contains(Keys.write))
        }
    }

    @Test func aSharedDeviceNeitherLeaksIntoAnExportNorLosesTheOtherPersonsEventsOnErasure() async throws {
        try await withKairos { client in
            try await client.send(.post, "/v1/track", key: Keys.write, json: #"{"userId":"first","anonymousId":"tablet","event":"A"}"#)
            try await client.send(.post, "/v1/track", key: Keys.write, json: #"{"userId":"second","anonymousId":"tablet","event":"B"}"#)
            let export = try await client.send(.get, "/v1/profiles/first/export").body
            #expect(export["events"]?.arrayValue?.map { $0["event"] } == ["A"])
            #expect(try await client.send(.delete, "/v1/profiles/first").body["events"] == 1)
            let second = try await client.send(.get, "/v1/profiles/second/events").body["events"]?.arrayValue ?? []
            #expect(second.map { $0["event"] } == ["B"])
        }
    }

    @Test func exportReturnsEverythingHeldAboutThePerson() async throws {
        try await withKairos { client in
            try await client.send(.post, "/v1/page", key: Keys.write, json: #"{"anonymousId":"x-anon","name":"Landing"}"#)
            try await client.send(
                .post, "/v1/identify", key: Keys.write,
                json: #"{"userId":"x-user","anonymousId":"x-anon","traits":{"email":"x@example.com"}}"#)
            let export = try await client.send(.get, "/v1/profiles/x-user/export").body
            #expect(export["profile"]?["traits"]?["email"] == "x@example.com")
            #expect(export["profile"]?["anonymousIds"] == ["x-anon"])
            #expect(export["events"]?.arrayValue?.map { $0["type"] } == ["page", "identify"])
        }
    }

    @Test func erasureLeavesNoTraceInTheAPIOrTheDataFiles() async throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await withKairos(directory: directory) { client in
            try await client.send(.post, "/v1/page", key: Keys.write, json: #"{"anonymousId":"zz-anon-31337","name":"Home"}"#)
            let events = (0..<200).map {
                #"{"type":"track","userId":"zz-user-31337","anonymousId":"zz-anon-31337","event":"Viewed","properties":{"note":"zz-secret-trait-value","i":\#($0)}}"#
            }
            try await client.send(.post, "/v1/batch", key: Keys.write, json: #"{"batch":[\#(events.joined(separator: ","))]}"#)
            try await client.send(
                .post, "/v1/identify", key: Keys.write,
                json: #"{"userId":"zz-user-31337","traits":{"email":"zz-secret-trait-value@example.com"}}"#)
            try await client.send(.post, "/v1/track", key: Keys.write, json: #"{"userId":"someone-else","event":"Kept"}"#)
            // Decisions about the person are logged too, and must go with the rest.
            #expect(try await client.send(.post, "/v1/decide", key: Keys.write, json: #"{"userId":"zz-user-31337","placement":"home"}"#).status == 200)
            #expect(try await client.send(.post, "/v1/decide", key: Keys.write, json: #"{"anonymousId":"zz-anon-31337","placement":"home"}"#).status == 200)
            #expect(!filesContain("zz-user-31337", under: directory).isEmpty)

            let erased = try await client.send(.delete, "/v1/profiles/zz-anon-31337")
            #expect(erased.status == 200)
            #expect(erased.body["events"] == 202)
            #expect(try await client.send(.get, "/v1/profiles/zz-user-31337").status == 404)
            #expect(try await client.send(.get, "/v1/profiles/zz-anon-31337").status == 404)
            #expect(try await client.send(.delete, "/v1/profiles/zz-user-31337").status == 404)
            #expect(try await client.send(.get, "/v1/profiles/someone-else").body["eventTotal"] == 1)
        }
        for needle in ["zz-user-31337", "zz-anon-31337", "zz-secret-trait-value"] {
            #expect(filesContain(needle, under: directory) == [], "\(needle) is still in the data files")
        }
        // And it stays gone after a restart (nothing to replay it from).
        try await withKairos(directory: directory) { client async throws -> Void in
            #expect(try await client.send(.get, "/v1/profiles/zz-user-31337").status == 404)
            #expect(try await client.send(.get, "/v1/profiles/someone-else").status == 200)
        }
    }
}
