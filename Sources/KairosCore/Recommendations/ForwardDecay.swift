import Foundation

/// Exponential time decay without touching stored values: a weight added at time `t` is scaled
/// by `exp((t − epoch) / τ)`, so that old and new weights compare as if all had decayed to now
/// (Cormode et al., "Forward decay", ICDE 2009). Doubles hold the scale for decades at τ ≥ 1 day.
public struct ForwardDecay: Sendable, Equatable {
    /// Time constant τ in milliseconds (the half-life is τ·ln 2).
    public var tau: Double
    /// 2024-01-01T00:00:00Z.
    public static let epoch: Millis = 1_704_067_200_000

    public init(tau: Millis) { self.tau = Double(tau) }

    /// The scale of a weight added at `time`.
    @inline(__always)
    public func scale(_ time: Millis) -> Double { exp(Double(time - Self.epoch) / tau) }

    /// A stored (scaled) value as its decayed value at `now`.
    @inline(__always)
    public func value(_ stored: Double, now: Millis) -> Double { stored / scale(now) }
}
