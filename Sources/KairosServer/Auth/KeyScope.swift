/// What a key may do.
public enum KeyScope: String, Sendable, Comparable {
    /// Send events only; safe to embed in a browser or an app.
    case write
    /// Everything: profiles, catalog, administration, and sending events.
    case secret

    public static func < (lhs: KeyScope, rhs: KeyScope) -> Bool {
        lhs == .write && rhs == .secret
    }
}
