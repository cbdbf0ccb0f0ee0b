import Testing

@testable import KairosCore

/// Each rejected definition names the field at fault.
@Suite struct DefinitionValidationTests {
    static func field(_ parse: () throws(APIError) -> Void) -> String? {
        do {
            try parse()
            return nil
        } catch {
            return error.field ?? "<none>"
        }
    }

    @Test(arguments: [
        (#"{"id":"f","type":"count","window":"500ms"}"#, "window"),
        (#"{"id":"f","type":"top","value":"event.name","topN":0}"#, "topN"),
        (#"{"id":"f","type":"top","value":"event.name","topN":2.5}"#, "topN"),
        (#"{"id":"f","type":"first","value":"event.name","window":"1h"}"#, "window"),
        (#"{"id":"f","type":"sessionEvents","window":"1h"}"#, "window"),
        (#"{"id":"f","type":"count","sessionTimeout":"soon"}"#, "sessionTimeout"),
        (#"{"id":"f","type":"count","filter":3}"#, "filter"),
        (#"{"id":"x-y","type":"count"}"#, "id"),
    ])
    func badFeatures(json: String, expected: String) throws {
        let value = try JSONParser.parse(json)
        #expect(Self.field { () throws(APIError) in _ = try FeatureDefinition.parse(value) } == expected)
    }

    @Test(arguments: [
        (#"{"id":"c","type":"webhook"}"#, "url"),
        (#"{"id":"c","type":"webhook","url":"http://localhost/x","timeout":"2m"}"#, "timeout"),
        (#"{"id":"c","type":"webhook","url":"http://localhost/x","maxAttempts":0}"#, "maxAttempts"),
        (#"{"id":"c","type":"inapp","caps":[{"count":-1,"per":"1d"}]}"#, "caps[0].count"),
        (#"{"id":"c","type":"inapp","caps":[{"count":1}]}"#, "caps[0].per"),
        (#"{"id":"c","type":"inapp","caps":{"count":1}}"#, "caps"),
        (#"{"id":"c","type":"inapp","quietHours":{"start":"25:00","end":"08:00"}}"#, "quietHours"),
        (#"{"id":"c","type":"inapp","ttl":"forever"}"#, "ttl"),
    ])
    func badChannels(json: String, expected: String) throws {
        let value = try JSONParser.parse(json)
        #expect(Self.field { () throws(APIError) in _ = try ChannelDefinition.parse(value) } == expected)
    }

    @Test(arguments: [
        (#"{"id":"t","channel":"c","message":{}}"#, "when"),
        (#"{"id":"t","when":"true","message":{}}"#, "channel"),
        (#"{"id":"t","when":"true","channel":"c","message":"hi"}"#, "message"),
        (#"{"id":"t","when":"true","channel":"c","message":{},"wait":"40 minutes"}"#, "wait"),
        (#"{"id":"s","condition":""}"#, "condition"),
    ])
    func badTriggersAndSegments(json: String, expected: String) throws {
        let value = try JSONParser.parse(json)
        let field = json.contains("condition")
            ? Self.field { () throws(APIError) in _ = try SegmentDefinition.parse(value) }
            : Self.field { () throws(APIError) in _ = try TriggerDefinition.parse(value) }
        #expect(field == expected)
    }

    @Test func aValidChannelRoundTripsThroughItsStoredForm() throws {
        let channel = try ChannelDefinition.parse(
            try JSONParser.parse(
                #"{"id":"push","type":"webhook","url":"https://push.example/x","secret":"k","caps":[{"count":1,"per":"24h"}],"quietHours":{"start":"22:00","end":"07:30"}}"#))
        #expect(try ChannelDefinition.parse(channel.storedJSON) == channel)
        #expect(channel.json["secret"] == nil)
        #expect(channel.json["quietHours"]?["end"] == "07:30")
    }
}
