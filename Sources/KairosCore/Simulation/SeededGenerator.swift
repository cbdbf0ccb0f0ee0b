#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small, fast, seedable random number generator (xoshiro256**, seeded through splitmix64).
///
/// The same seed always gives the same sequence, on every platform and Swift version: the helpers
/// below (`nextDouble()`, `nextInt(below:)`, ...) are written out here rather than taken from the
/// standard library's `random(in:using:)`, whose algorithms are not promised to stay the same.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    /// A generator seeded with `seed`.
    public init(seed: UInt64) {
        var mixer = seed
        s0 = Self.splitMix(&mixer)
        s1 = Self.splitMix(&mixer)
        s2 = Self.splitMix(&mixer)
        s3 = Self.splitMix(&mixer)
    }

    /// A generator for one independent stream derived from `seed` and a path of numbers (for example
    /// a purpose, a user index and a day), so that any part of a simulation can be regenerated alone.
    public init(seed: UInt64, _ path: UInt64...) {
        self.init(seed: Self.hash(seed, path))
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = Self.rotate(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = Self.rotate(s3, 45)
        return result
    }

    /// A uniform double in `0..<1` (53 random bits).
    public mutating func nextDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A uniform integer in `0..<bound` (`bound` > 0), by Lemire's multiply-shift (bias < 2⁻³²
    /// for the bounds a simulation uses).
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        return Int(next().multipliedFullWidth(by: UInt64(bound)).high)
    }

    /// A uniform integer in `range`.
    public mutating func nextInt(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + nextInt(below: range.upperBound - range.lowerBound + 1)
    }

    /// `true` with probability `probability`.
    public mutating func chance(_ probability: Double) -> Bool {
        nextDouble() < probability
    }

    /// An exponentially distributed value with the given mean.
    public mutating func nextExponential(mean: Double) -> Double {
        -mean * log1p(-nextDouble())
    }

    /// A standard normal value (Box–Muller).
    public mutating func nextGaussian() -> Double {
        let u = 1 - nextDouble()  // in (0, 1]
        let v = nextDouble()
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }

    /// A Poisson-distributed count with mean `lambda` (Knuth's method; for the small means of
    /// sessions per day), capped at 1,000.
    public mutating func nextPoisson(mean lambda: Double) -> Int {
        guard lambda > 0 else { return 0 }
        if lambda > 60 { return max(0, Int((lambda + lambda.squareRoot() * nextGaussian()).rounded())) }
        let limit = exp(-lambda)
        var product = nextDouble()
        var count = 0
        while product > limit && count < 1000 {
            count += 1
            product *= nextDouble()
        }
        return count
    }

    /// An index drawn with probability proportional to the increments of `cumulative`, an ascending
    /// table of running totals (the last entry is the total).
    public mutating func pick(cumulative: [Double]) -> Int {
        guard let total = cumulative.last, total > 0 else { return 0 }
        let target = nextDouble() * total
        var low = 0
        var high = cumulative.count - 1
        while low < high {
            let middle = (low + high) / 2
            if cumulative[middle] > target { high = middle } else { low = middle + 1 }
        }
        return low
    }

    /// A well-mixed 64-bit hash of `seed` and `path` (splitmix64 finalisation after each step).
    public static func hash(_ seed: UInt64, _ path: [UInt64]) -> UInt64 {
        var state = seed
        var result = splitMix(&state)
        for part in path {
            state = result ^ (part &* 0xD6E8_FEB8_6659_FD93)
            result = splitMix(&state)
        }
        return result
    }

    private static func splitMix(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    private static func rotate(_ value: UInt64, _ count: UInt64) -> UInt64 {
        (value << count) | (value >> (64 - count))
    }
}
