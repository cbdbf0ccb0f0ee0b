import Foundation

/// Exponential time decay without touching stored values: a weight added at time `t` is scaled
/// by `exp((t − landmark) / τ)`, so that old and new weights compare as if all had decayed to now
/// (Cormode et al., "Forward decay", ICDE 2009). Only ratios of scaled values mean anything, so
/// the landmark may move: ``moved(to:)`` gives the factor to multiply stored values by. A Double
/// holds the scale up to about 709 τ past the landmark; models move it long before (see
/// ``needsMove(at:)``).
public struct ForwardDecay: Sendable, Equatable {
    /// Time constant τ in milliseconds (the half-life is τ·ln 2).
    public let tau: Double
    /// The reference time of the scale.
    public private(set) var landmark: Millis

    public init(tau: Millis, landmark: Millis) {
        self.tau = Double(tau)
        self.landmark = landmark
    }

    /// The scale of a weight added at `time`.
    @inline(__always)
    public func scale(_ time: Millis) -> Double { exp(Double(time - landmark) / tau) }

    /// Whether weights at `time` come near the largest scale a Double holds.
    public func needsMove(at time: Millis) -> Bool { Double(time - landmark) / tau > 300 }

    /// Moves the landmark to `time`; returns the factor stored values must be multiplied by.
    public mutating func moved(to time: Millis) -> Double {
        let factor = exp(-Double(time - landmark) / tau)
        landmark = time
        return factor
    }
}
