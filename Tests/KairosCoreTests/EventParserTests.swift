import Testing

@testable import KairosCore

@Suite struct EventParserTests {
    let parser = EventParser()
    let now: Millis = 1_795_341_600_000

    func parse(_ json: String, type: EventType? = nil) throws(APIError) -> Event {
        let value: JSONValue
        do { value = try JSONParser.parse(json) } catch { throw .malformedJSON(error) }
        return try parser.parse(value, impliedType: type, receivedAt: now, makeMessageId: { "generated" })
    }

    func error(_ json: String, type: EventType? = nil) -> APIError? {
        do {
            _ = try parse(json, type: type)
            return nil
        } catch {
            return error
        }
    }

    @Test func parsesATrackEvent() throws {
        let event = try parse(
            #"{"event":"Product Viewed","userId":"u1","messageId":"m1","properties":{"product_id":"p1"},"timestamp":"2026-11-22T09:00:00Z"}"#,
            type: .track)
        #expect(event.type == .track)
        #expect(event.name == "Product Viewed")
        #expect(event.userId == "u1")
        #expect(event.messageId == "m1")
        #expect(event.timestamp == now - 3_600_000)
        let body = try JSONParser.parse(event.body)
        #expect(body["properties"]?["product_id"] == "p1")
        #expect(body["receivedAt"] == .string(Timestamp.format(now)))
    }

    @Test func segmentRecordsAreRebuiltFromTheirColumns() throws {
        for (userId, anonymousId) in [("ada \"lovelace\" ü\u{1}", nil), (nil, "anon/42"), ("u", "a")] as [(String?, String?)] {
            for entered in [true, false] {
                let transition = SegmentTransition(
                    segment: "big:spenders", entered: entered, userId: userId, anonymousId: anonymousId, causeSeq: 1234,
                    time: 1_795_000_000_123)
                let record = Event.segmentRecord(transition, receivedAt: 1_795_000_000_456)
                #expect(record.body.isEmpty)  // rebuilt from the row's columns when read
                #expect(
                    Event.segmentRecordJSON(
                        messageId: record.messageId, name: record.name, userId: userId, anonymousId: anonymousId,
                        timestamp: record.timestamp, receivedAt: record.receivedAt) == record.json)
                #expect(record.json?["properties"]?["segment"] == "big:spenders")
                #expect(record.json?["userId"]?.stringValue == userId && record.json?["anonymousId"]?.stringValue == anonymousId)
                #expect(record.json?["timestamp"] == "2026-11-18T11:06:40.123Z")
                var expected: [String: JSONValue] = [
                    "type": "track", "event": .string(entered ? "Segment Entered" : "Segment Exited"),
                    "messageId": .string("segment:1234:big:spenders:\(entered ? "entered" : "exited")"),
                    "timestamp": "2026-11-18T11:06:40.123Z", "receivedAt": "2026-11-18T11:06:40.456Z",
                    "properties": ["segment": "big:spenders"], "context": ["library": ["name": "kairos"]],
                ]
                if let userId { expected["userId"] = .string(userId) }
                if let anonymousId { expected["anonymousId"] = .string(anonymousId) }
                #expect(record.json == .object(expected))
                #expect(record.segmentRecordCause == 1234)
                #expect(record.isSegmentRecord && record.name == (entered ? "Segment Entered" : "Segment Exited"))
            }
        }
    }

    @Test func malformedSegmentRecordIdsAreNotRecords() {
        for messageId in ["segment:", "segment:1", "segment:1:vip", "segment:abc:vip:entered", "segmnt:1:vip:entered", "m-1"] {
            #expect(
                Event.segmentRecordJSON(messageId: messageId, name: "Segment Entered", userId: "u", anonymousId: nil, timestamp: 0, receivedAt: 0)
                    == nil, "\(messageId)")
            let event = Event(messageId: messageId, type: .track, name: "Segment Entered", userId: "u", timestamp: 0, receivedAt: 0)
            #expect(event.segmentRecordCause == nil, "\(messageId)")
        }
        // A record without a name is not rebuilt; an empty segment id is still a record's.
        #expect(Event.segmentRecordJSON(messageId: "segment:1:vip:entered", name: nil, userId: "u", anonymousId: nil, timestamp: 0, receivedAt: 0) == nil)
        #expect(
            Event.segmentRecordJSON(messageId: "segment:1::entered", name: "Segment Entered", userId: "u", anonymousId: nil, timestamp: 0, receivedAt: 0)?[
                "properties"]?["segment"] == "")
    }

    @Test func kairosOwnMessageIdsAndUnwritableTimesAreRefused() {
        // A client cannot pass its event off as one of Kairos' segment records.
        let spoofed = error(#"{"event":"Viewed","userId":"u1","messageId":"segment:1:vip:entered"}"#, type: .track)
        #expect(spoofed?.field == "messageId")
        #expect(error(#"{"event":"Viewed","userId":"u1","messageId":"my-segment:1"}"#, type: .track) == nil)
        // Times that RFC 3339 text cannot hold (year 0 after the offset, or pushed there by sentAt).
        #expect(error(#"{"event":"V","userId":"u1","timestamp":"0000-01-01T00:00:00+01:00"}"#, type: .track)?.field == "timestamp")
        #expect(
            error(#"{"event":"V","userId":"u1","timestamp":"0001-01-01T00:00:00Z","sentAt":"2026-11-23T10:00:00Z"}"#, type: .track)?.field
                == "timestamp")
        #expect(error(#"{"event":"V","userId":"u1","timestamp":"0001-01-02T00:00:00Z"}"#, type: .track) == nil)
    }

    @Test func correctsClockSkewWithSentAt() throws {
        // The device clock is 10 minutes fast: sentAt is 10 minutes after the real receive time.
        let event = try parse(
            #"{"type":"track","event":"E","anonymousId":"a","timestamp":"2026-11-22T10:05:00Z","sentAt":"2026-11-22T10:10:00Z"}"#)
        #expect(event.timestamp == now - 5 * 60_000)
        #expect(try JSONParser.parse(event.body)["originalTimestamp"] == "2026-11-22T10:05:00.000Z")
    }

    @Test func generatesAMessageIdWhenMissing() throws {
        #expect(try parse(#"{"type":"page","anonymousId":"a"}"#).messageId == "generated")
    }

    @Test func readsConsentFromContextAndTraits() throws {
        let fromContext = try parse(
            #"{"type":"track","event":"E","userId":"u","context":{"consent":{"categoryPreferences":{"Analytics":false,"marketing":true}}}}"#)
        #expect(fromContext.consent == ["analytics": false, "marketing": true])
        let fromTraits = try parse(#"{"type":"identify","userId":"u","traits":{"consent":{"marketing":false},"tier":"gold"}}"#)
        #expect(fromTraits.consent == ["marketing": false])
        #expect(fromTraits.traits?["tier"] == "gold")
    }

    @Test func rejectsBadEventsNamingTheField() {
        #expect(error(#"{"event":"E"}"#, type: .track)?.code == "missing_identity")
        #expect(error(#"{"userId":"u"}"#, type: .track)?.field == "event")
        #expect(error(#"{"event":"E","userId":42}"#, type: .track)?.field == "userId")
        #expect(error(#"{"type":"purchase","userId":"u"}"#)?.code == "unknown_type")
        #expect(error(#"{"userId":"u","event":"E"}"#)?.field == "type")
        #expect(error(#"{"event":"E","userId":"u","properties":[1]}"#, type: .track)?.field == "properties")
        #expect(error(#"{"event":"E","userId":"u","timestamp":"2026-11-24T10:00:01Z"}"#, type: .track)?.code == "timestamp_in_future")
        #expect(error(#"{"event":"E","userId":"u","timestamp":"last tuesday"}"#, type: .track)?.field == "timestamp")
        #expect(error(#"{"userId":"u"}"#, type: .alias)?.field == "previousId")
        // Ids with a NUL character (another person's id up to it, for SQLite's lookups).
        #expect(error(#"{"event":"E","userId":"a\u0000b"}"#, type: .track)?.field == "userId")
        #expect(error(#"{"event":"E","anonymousId":"\u0000"}"#, type: .track)?.field == "anonymousId")
        #expect(error(#"{"event":"E","userId":"u","messageId":"m\u0000"}"#, type: .track)?.field == "messageId")
        #expect(error(#"{"event":"E","userId":"u","properties":{"decisionId":"d\u0000"}}"#, type: .track)?.field == "properties.decisionId")
        #expect(error(#"{"anonymousId":"a"}"#, type: .group)?.field == "groupId")
        #expect(error(#"{"type":"track","event":"E","userId":"u","context":{"consent":{"analytics":"no"}}}"#)?.field == "context.consent.analytics")
        #expect(error("[1]", type: .track)?.status == 422)
    }

    @Test func enforcesTheEventSizeLimit() {
        let big = String(repeating: "x", count: 40_000)
        let failure = error(#"{"event":"E","userId":"u","properties":{"blob":"\#(big)"}}"#, type: .track)
        #expect(failure?.status == 413)
    }
}
