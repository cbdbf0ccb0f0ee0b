import KairosCore

extension DecideController {
    /// The JSON of an item decision, written straight to bytes (keys in sorted order, as
    /// ``JSONWriter`` writes objects) without building a ``JSONValue`` tree first.
    static func encode(
        decisionId: String, placement: String, items: [Ranker.Ranked], strategy: String, personalized: Bool,
        hasProfile: Bool
    ) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(256 + items.count * 160)
        output.append(contentsOf: #"{"decisionId":"#.utf8)
        JSONWriter.writeString(decisionId, into: &output)
        output.append(contentsOf: #","items":["#.utf8)
        for (position, item) in items.enumerated() {
            if position > 0 { output.append(UInt8(ascii: ",")) }
            output.append(contentsOf: #"{"id":"#.utf8)
            JSONWriter.writeString(item.id, into: &output)
            output.append(contentsOf: #","position":"#.utf8)
            JSONWriter.writeNumber(Double(position + 1), into: &output)
            output.append(contentsOf: #","reasons":["#.utf8)
            for (index, reason) in item.reasons.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                JSONWriter.writeString(reason, into: &output)
            }
            output.append(contentsOf: #"],"score":"#.utf8)
            JSONWriter.writeNumber(item.score, into: &output)
            output.append(contentsOf: #","source":"#.utf8)
            JSONWriter.writeString(item.source.rawValue, into: &output)
            output.append(UInt8(ascii: "}"))
        }
        output.append(contentsOf: #"],"modelVersion":"#.utf8)
        JSONWriter.writeString(modelVersion, into: &output)
        if !personalized {
            output.append(contentsOf: #","notice":"#.utf8)
            JSONWriter.writeString("personalization consent withdrawn: non-personal recommendations only", into: &output)
        }
        output.append(contentsOf: #","personalized":"#.utf8)
        output.append(contentsOf: (personalized && hasProfile ? "true" : "false").utf8)
        output.append(contentsOf: #","placement":"#.utf8)
        JSONWriter.writeString(placement, into: &output)
        output.append(contentsOf: #","strategy":"#.utf8)
        JSONWriter.writeString(strategy, into: &output)
        output.append(UInt8(ascii: "}"))
        return output
    }
}
