import KairosCore

extension OfferEngine {
    /// The logged record of the draw, as compact JSON: the shared context features, the
    /// candidates column by column (`id`, `group`, `value`, `lever`, `priority`, `propensity`,
    /// and `probability` of being chosen first: one list each, in the same order, so names are
    /// not repeated 200 times), the winners, the first winner and the probability with which it
    /// was chosen. Numbers but the probabilities keep single precision (about 7 significant
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
        func column(_ name: String, _ write: (Arbitrator.Candidate, inout [UInt8]) -> Void) {
            key(name)
            output.append(UInt8(ascii: "["))
            for (index, candidate) in candidates.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                write(candidate, &output)
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
        column("group") { JSONWriter.writeString($0.offer.definition.taxonomy, into: &$1) }
        output.append(UInt8(ascii: ","))
        column("id") { JSONWriter.writeString($0.offer.definition.id, into: &$1) }
        output.append(UInt8(ascii: ","))
        column("lever") { writeSingle($0.lever, into: &$1) }
        output.append(UInt8(ascii: ","))
        column("priority") { writeSingle($0.priority, into: &$1) }
        output.append(UInt8(ascii: ","))
        column("probability") { JSONWriter.writeNumber($0.probability, into: &$1) }
        output.append(UInt8(ascii: ","))
        column("propensity") { writeSingle($0.propensity, into: &$1) }
        output.append(UInt8(ascii: ","))
        column("value") { writeSingle($0.value, into: &$1) }
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
