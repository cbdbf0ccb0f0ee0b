/// What a file given to `kairos import` holds.
public enum ImportKind: String, Sendable, CaseIterable {
    /// Tracking events, one JSON object per line (the `/v1/batch` entry shape).
    case events
    /// Catalog items (CSV with a header row, or NDJSON).
    case items
    /// Profile traits (CSV or NDJSON; a `userId` or `anonymousId` column, the rest are traits).
    case profiles

    /// Guesses the kind from a file name (`events.ndjson`, `items.csv`, `profiles.csv`).
    public static func infer(fromPath path: String) -> ImportKind? {
        let name = path.split(separator: "/").last.map { $0.lowercased() } ?? ""
        // Events first: `user_events.ndjson` and `product_events.csv` are event logs.
        if name.contains("event") || name.contains("track") { return .events }
        if name.contains("item") || name.contains("product") || name.contains("catalog") { return .items }
        if name.contains("profile") || name.contains("user") || name.contains("trait") { return .profiles }
        return nil
    }
}
