import KairosCore

extension OfferEngine {
    /// The logged record of the draw, as compact JSON: the shared context features, the
    /// candidates column by column (`id`, `group`, `value`, `lever`, `priority`, `propensity`,
    /// and `probability` of being chosen first: one list each, in the same order, so names are
    /// not repeated 200 times; `group` holds numbers into `groups`, the decision's distinct
    /// groups), the winners, the first winner and the probability with which it was chosen. Numbers but the probabilities keep single precision (about 7 significant
    /// digits). Keys are in sorted order, as ``JSONWriter`` writes objects. ``PolicyLog`` turns
    /// it into a ``LoggedDecision``.
    public static func learningRecord(_ result: Arbitrator.Result) -> [UInt8] {
        let candidates = result.candidates
        var output: [UInt8] = []
        output.reserveCapacity(256 + candidates.count * 72)
        func key(_ name: String) {
            JSONWriter.writeString(name, into: &output)
            output.append(UInt8(ascii: ":"))
        }
        func column(_ name: String, _ text: (OfferSet.Compiled) -> [UInt8]) {
            key(name)
            output.append(UInt8(ascii: "["))
            for index in candidates.indices {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                output.append(contentsOf: text(candidates[index].offer))
            }
            output.append(UInt8(ascii: "]"))
        }
        /// A column of numbers; a run of equal values (the explored candidates' probability) is
        /// formatted once.
        func column(_ name: String, single: Bool, _ number: (Int) -> Double) {
            key(name)
            output.append(UInt8(ascii: "["))
            var last = Double.nan
            // Positions, not a slice: a slice would share the buffer and make every append copy it.
            var lastText = 0..<0
            for index in candidates.indices {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                let value = number(index)
                if value == last {
                    for position in lastText { output.append(output[position]) }
                    continue
                }
                let start = output.count
                if single { writeSingle(value, into: &output) } else { JSONWriter.writeNumber(value, into: &output) }
                (last, lastText) = (value, start..<output.count)
            }
            output.append(UInt8(ascii: "]"))
        }
        output.append(UInt8(ascii: "{"))
        if let first = result.chosen.first {
            key("chosen")
            JSONWriter.writeString(first.offer.definition.id, into: &output)
            output.append(UInt8(ascii: ","))
        }
        key("context")
        output.append(UInt8(ascii: "{"))
        // Last value of a name wins, as it would in a dictionary.
        var latest: [String: Float] = [:]
        for token in result.shared { latest[token.name] = token.value }
        for (index, name) in latest.keys.sorted().enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            key(name)
            writeSingle(Double(latest[name]!), into: &output)
        }
        output.append(contentsOf: #"},"offers":{"#.utf8)
        // Groups by number into the list of the decision's distinct groups (a few, against one
        // per candidate).
        // Numbered in order of first appearance, through the offer set's taxonomy numbers.
        var groups: [Int] = []  // position in `candidates` of each group's first candidate
        var groupNumbers = [Int32](repeating: -1, count: (candidates.lazy.map(\.offer.taxonomyNumber).max() ?? 0) + 1)
        key("group")
        output.append(UInt8(ascii: "["))
        for index in candidates.indices {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            let taxonomy = candidates[index].offer.taxonomyNumber
            if groupNumbers[taxonomy] < 0 {
                groupNumbers[taxonomy] = Int32(groups.count)
                groups.append(index)
            }
            JSONWriter.writeNumber(Double(groupNumbers[taxonomy]), into: &output)
        }
        output.append(contentsOf: "],".utf8)
        key("groups")
        output.append(UInt8(ascii: "["))
        for (number, first) in groups.enumerated() {
            if number > 0 { output.append(UInt8(ascii: ",")) }
            output.append(contentsOf: candidates[first].offer.encodedTaxonomy)
        }
        output.append(contentsOf: "],".utf8)
        column("id") { $0.encodedId }
        output.append(UInt8(ascii: ","))
        column("lever", single: true) { candidates[$0].offer.lever }
        output.append(UInt8(ascii: ","))
        column("priority", single: true) { candidates[$0].priority }
        output.append(UInt8(ascii: ","))
        column("probability", single: false) { candidates[$0].probability }
        output.append(UInt8(ascii: ","))
        column("propensity", single: true) { candidates[$0].propensity }
        output.append(UInt8(ascii: ","))
        column("value", single: true) { candidates[$0].value }
        output.append(contentsOf: "},".utf8)
        if let first = result.chosen.first {
            key("propensity")
            JSONWriter.writeNumber(first.probability, into: &output)
            output.append(UInt8(ascii: ","))
        }
        key("winners")
        output.append(UInt8(ascii: "["))
        for (index, winner) in result.chosen.enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            JSONWriter.writeString(winner.offer.definition.id, into: &output)
        }
        output.append(contentsOf: "]}".utf8)
        return output
    }

    /// Appends `value` at single precision (the shortest text that reads back as the same
    /// `Float`): integers as integers, magnitudes outside 1e-30…1e30 in full.
    static func writeSingle(_ value: Double, into output: inout [UInt8]) {
        let magnitude = abs(value)
        guard value.isFinite, magnitude > 1e-30, magnitude < 1e30 else {
            JSONWriter.writeNumber(value, into: &output)
            return
        }
        let single = Float(value)
        if single == single.rounded(.towardZero) && magnitude < 1e7 {
            JSONWriter.writeNumber(Double(single), into: &output)
        } else {
            output.append(contentsOf: single.description.utf8)
        }
    }
}

extension DecisionRecord {
    /// The log entry of an action decision: `answered` (the encoded object the decision was
    /// answered or logged with), then under `learning` what off-policy evaluation needs.
    public static func action(
        _ result: Arbitrator.Result, id: String, profileKey: String?, userId: String?, anonymousId: String?, placement: String,
        createdAt: Millis, answered: [UInt8]
    ) -> DecisionRecord {
        DecisionRecord(
            id: id, profileKey: profileKey, userId: userId, anonymousId: anonymousId, placement: placement, createdAt: createdAt,
            encodedBody: JSONWriter.appending(field: "learning", encoded: OfferEngine.learningRecord(result), to: answered))
    }
}
