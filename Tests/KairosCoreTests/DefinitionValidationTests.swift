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

    @Test(arguments: [
        (#"{"id":"c"}"#, "type"), (#"{"id":"c","type":"sms"}"#, "type"),
        (#"{"id":"c","type":"webhook","url":"ftp://host/x"}"#, "url"), (#"{"id":"c","type":"webhook","url":"http:///x"}"#, "url"),
        (#"{"id":"c","type":"webhook","url":"http://localhost/x","maxAttempts":21}"#, "maxAttempts"),
        (#"{"id":"c","type":"inapp","caps":[5]}"#, "caps[0].count"),
        (#"{"id":"c","type":"inapp","caps":[{"count":1,"per":"1d"},{"count":1,"per":"soon"}]}"#, "caps[1].per"),
        (#"{"id":"c","type":"inapp","caps":[{"count":"1","per":"1d"}]}"#, "caps[0].count"),
        (#"{"id":"c","type":"inapp","quietHours":{"start":2200,"end":"08:00"}}"#, "quietHours"),
        (#"{"id":"c","type":"inapp","quietHours":"22:00-08:00"}"#, "quietHours"),
        (#"{"id":"c","type":"inapp","quietHours":{"start":"22:00"}}"#, "quietHours"),
        (#"{"id":"c","type":"inapp","quietHours":{"start":"22:60","end":"08:00"}}"#, "quietHours"),
    ])
    func badChannelsNameTheEntry(json: String, expected: String) throws {
        let value = try JSONParser.parse(json)
        #expect(Self.field { () throws(APIError) in _ = try ChannelDefinition.parse(value) } == expected)
    }

    @Test(arguments: [
        (#"{"id":"t","when":"event.name ==","channel":"c","message":{}}"#, "when"),
        (#"{"id":"t","when":"1 + 2","channel":"c","message":{}}"#, "when"),
        (#"{"id":"t","when":"true","condition":"features.nope > 1","channel":"c","message":{}}"#, "condition"),
        (#"{"id":"t","when":"true","wait":"1h","unless":"'x'","channel":"c","message":{}}"#, "unless"),
    ])
    func badTriggerExpressions(json: String, expected: String) throws {
        let trigger = try TriggerDefinition.parse(try JSONParser.parse(json))
        #expect(
            Self.field { () throws(APIError) in
                _ = try TriggerSet.compile([trigger], channels: [ChannelDefinition(id: "c", kind: .inapp)], features: .empty)
            } == expected)
    }

    @Test(arguments: [
        (#"{"id":"p","sources":{"source":"popular"}}"#, "sources", nil as Int?),
        (#"{"id":"p","sources":["popular"]}"#, "sources", 0),
        (#"{"id":"p","sources":[{"source":"popular","weight":"1"}]}"#, "sources", 0),
        (#"{"id":"p","sources":[{"source":"popular"},{"source":"trending","budget":1001}]}"#, "sources", 1),
        (#"{"id":"p","sources":[{"source":"popular","budget":2.5}]}"#, "sources", 0),
        (#"{"id":"p","sources":[{"source":"popular"},{"source":"magic"}]}"#, "sources", 1),
        (#"{"id":"p","rules":{"if":"true","pin":true}}"#, "rules", nil),
        (#"{"id":"p","rules":[{"if":"true","pin":true},{"if":"true","boost":-2}]}"#, "rules", 1),
        (#"{"id":"p","rules":[{"if":"true","boost":-1,"pin":true}]}"#, "rules", 0),
        (#"{"id":"p","rules":[{"if":"true","boost":2,"bury":true}]}"#, "rules", 0),
        (#"{"id":"p","rules":[{"if":"true","bury":false}]}"#, "rules", 0),
        (#"{"id":"p","rules":[{"if":true,"pin":true}]}"#, "rules", 0),
        (#"{"id":"p","diversity":[1]}"#, "diversity", nil),
        (#"{"id":"p","diversity":{"maxPerCategory":0}}"#, "diversity", nil),
        (#"{"id":"p","diversity":{"maxPerCategory":1.5}}"#, "diversity", nil),
        (#"{"id":"p","diversity":{"mmr":-0.1}}"#, "diversity", nil),
        (#"{"id":"p","diversity":{"mmr":"0.5"}}"#, "diversity", nil),
        (#"{"id":"p","fallback":"popular"}"#, "fallback", nil),
        (#"{"id":"p","fallback":["popular","nowhere"]}"#, "fallback", 1),
        (#"{"id":"p","excludeSeenAfter":"3"}"#, "excludeSeenAfter", nil),
        (#"{"id":"p","excludePurchased":"yes"}"#, "excludePurchased", nil),
        (#"{"id":"p","excludeInteracted":1}"#, "excludeInteracted", nil),
        (#"{"id":"p","limit":0}"#, "limit", nil), (#"{"id":"p","limit":2.5}"#, "limit", nil),
        (#"{"id":"p","description":5}"#, "description", nil),
    ])
    func badPlacements(json: String, field: String, index: Int?) throws {
        let value = try JSONParser.parse(json)
        do {
            _ = try PlacementDefinition.parse(value)
            Issue.record("\(json) was accepted")
        } catch {
            #expect(error.status == 422, "\(json)")
            #expect(error.field == field, "\(json)")
            #expect(error.index == index, "\(json)")
        }
    }

    @Test func placementBoundsAreInclusiveAndTheJSONRoundTrips() throws {
        let edge = try PlacementDefinition.parse(
            try JSONParser.parse(
                #"{"id":"p","sources":[{"source":"popular","weight":0,"budget":1000}],"diversity":{"maxPerCategory":1,"mmr":0},"excludeSeenAfter":null,"limit":100,"rules":[{"if":"true","boost":0.5}]}"#))
        #expect(edge.sources.first?.budget == 1000 && edge.excludeSeenAfter == nil && edge.limit == 100 && edge.mmrLambda == 0)
        #expect(try PlacementDefinition.parse(edge.json) == edge)
    }
}
