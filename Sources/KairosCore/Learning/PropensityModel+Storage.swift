/// A compact binary form of a model, for checkpoints: the non-zero coordinates, the counters,
/// the per-action statistics and the feature names.
extension PropensityModel {
    static let magic: [UInt8] = Array("KPM1".utf8)

    /// The model as bytes.
    public func serialized() -> [UInt8] {
        var out = ByteWriter()
        out.bytes(Self.magic)
        out.double(parameters.alpha)
        out.double(parameters.beta)
        out.double(parameters.l1)
        out.double(parameters.l2)
        out.int(parameters.bits)
        out.double(parameters.priorStrength)
        out.int(updates)
        out.int(positives)
        out.int(actions.count)
        for (action, stats) in actions.sorted(by: { $0.key < $1.key }) {
            out.string(action)
            out.int(stats.updates)
            out.int(stats.positives)
        }
        let active = (0..<z.count).filter { z[$0] != 0 || n[$0] != 0 }
        out.int(active.count)
        for index in active {
            out.int(index)
            out.float(z[index])
            out.float(n[index])
            out.float(weights[index])
            out.float(precision[index])
        }
        out.int(recent.count)
        for offset in 0..<recent.count {
            let entry = recent[(recentNext + offset) % recent.count]
            out.float(entry.probability)
            out.bytes([entry.positive ? 1 : 0])
        }
        out.int(names.count)
        for (index, name) in names.sorted(by: { $0.key < $1.key }) {
            out.int(Int(index))
            out.string(name)
        }
        return out.buffer
    }

    /// A model from ``serialized()`` bytes; `nil` when they are not a model.
    public init?(serialized bytes: [UInt8]) {
        var input = ByteReader(bytes)
        guard input.bytes(4) == Self.magic,
            let alpha = input.double(), let beta = input.double(), let l1 = input.double(), let l2 = input.double(),
            let bits = input.int(), (8...24).contains(bits), let strength = input.double()
        else { return nil }
        self.init(parameters: Parameters(alpha: alpha, beta: beta, l1: l1, l2: l2, bits: bits, priorStrength: strength))
        guard let updates = input.int(), let positives = input.int(), let actionCount = input.int() else { return nil }
        self.updates = updates
        self.positives = positives
        for _ in 0..<actionCount {
            guard let action = input.string(), let count = input.int(), let positive = input.int() else { return nil }
            actions[action] = ActionStats(updates: count, positives: positive)
        }
        guard let active = input.int() else { return nil }
        for _ in 0..<active {
            guard let index = input.int(), index >= 0, index < z.count, let zValue = input.float(), let nValue = input.float(),
                let weight = input.float(), let precisionValue = input.float()
            else { return nil }
            z[index] = zValue
            n[index] = nValue
            weights[index] = weight
            precision[index] = precisionValue
        }
        guard let recentCount = input.int(), recentCount <= Self.recentCapacity else { return nil }
        for _ in 0..<recentCount {
            guard let probability = input.float(), let flag = input.bytes(1) else { return nil }
            recent.append((probability, flag[0] == 1))
        }
        recentNext = recent.count % Self.recentCapacity
        guard let nameCount = input.int() else { return nil }
        for _ in 0..<nameCount {
            guard let index = input.int(), let name = input.string() else { return nil }
            names[UInt32(truncatingIfNeeded: index)] = name
        }
    }
}

/// Little-endian writer of checkpoint bytes.
struct ByteWriter {
    var buffer: [UInt8] = []

    mutating func bytes(_ bytes: [UInt8]) { buffer += bytes }
    mutating func int(_ value: Int) { withUnsafeBytes(of: Int64(value).littleEndian) { buffer += $0 } }
    mutating func double(_ value: Double) { withUnsafeBytes(of: value.bitPattern.littleEndian) { buffer += $0 } }
    mutating func float(_ value: Float) { withUnsafeBytes(of: value.bitPattern.littleEndian) { buffer += $0 } }
    mutating func string(_ text: String) {
        int(text.utf8.count)
        buffer += text.utf8
    }
}

/// Reader of ``ByteWriter`` bytes; `nil` on anything short or malformed.
struct ByteReader {
    let data: [UInt8]
    var position = 0

    init(_ data: [UInt8]) { self.data = data }

    mutating func bytes(_ count: Int) -> [UInt8]? {
        guard count >= 0, position + count <= data.count else { return nil }
        defer { position += count }
        return Array(data[position..<position + count])
    }

    mutating func uint64() -> UInt64? {
        guard let raw = bytes(8) else { return nil }
        return raw.enumerated().reduce(UInt64(0)) { $0 | (UInt64($1.element) << (8 * UInt64($1.offset))) }
    }

    mutating func int() -> Int? { uint64().map { Int(Int64(bitPattern: $0)) } }
    mutating func double() -> Double? { uint64().map(Double.init(bitPattern:)) }
    mutating func float() -> Float? {
        guard let raw = bytes(4) else { return nil }
        return Float(bitPattern: raw.enumerated().reduce(UInt32(0)) { $0 | (UInt32($1.element) << (8 * UInt32($1.offset))) })
    }
    mutating func string() -> String? {
        guard let count = int(), count >= 0, count <= 1 << 20, let raw = bytes(count) else { return nil }
        return String(decoding: raw, as: UTF8.self)
    }
}
