import Synchronization

/// The catalog in memory, by item number: what placement filters and rules read (`item.*`),
/// categories for diversity and per-category lists, and the text for content similarity.
public final class Catalog: Sendable {
    /// One item as the ranker needs it (a reference: handing out hundreds per decision copies nothing).
    public final class Entry: Sendable {
        public let item: Item
        /// `item.*` for expressions.
        public let json: JSONValue
        /// Category keys from the root: `Shoes`, `Shoes/Running`.
        public let categoryKeys: [String]
        /// The most specific category key (diversity groups), or "" without a category.
        public var leafCategory: String { categoryKeys.last ?? "" }

        init(_ item: Item) {
            self.item = item
            self.json = item.json
            var keys: [String] = []
            var path = ""
            for part in item.category {
                path = path.isEmpty ? part : path + "/" + part
                keys.append(path)
            }
            self.categoryKeys = keys
        }
    }

    /// What the ranker reads of every candidate, by value (no reference counting on a hot path
    /// shared by all decisions): whether it is in the catalog and available, and its most
    /// specific category by number (-1 without one).
    struct Shelf: Sendable {
        var available = false
        var category: Int32 = -1
    }

    struct State {
        var entries: [Entry?] = []
        /// By item number, as `entries`.
        var shelves: [Shelf] = []
        /// Numbers of the most specific categories.
        var categories: [String: Int32] = [:]
        var version = 0
        var count = 0

        mutating func shelve(_ entry: Entry?, at position: Int) {
            if position >= shelves.count { shelves.append(contentsOf: repeatElement(Shelf(), count: position + 1 - shelves.count)) }
            guard let entry else { return shelves[position] = Shelf() }
            var category: Int32 = -1
            if !entry.leafCategory.isEmpty {
                category = categories[entry.leafCategory] ?? Int32(categories.count)
                categories[entry.leafCategory] = category
            }
            shelves[position] = Shelf(available: entry.item.available, category: category)
        }
    }

    public let index: ItemIndex
    private let state = Mutex(State())

    public init(index: ItemIndex) { self.index = index }

    /// Adds or replaces items.
    public func put(_ items: [Item]) {
        let numbered = items.map { (index.intern($0.id), Entry($0)) }
        state.withLock { state in
            for (number, entry) in numbered {
                let position = Int(number)
                if position >= state.entries.count {
                    state.entries.append(contentsOf: repeatElement(nil, count: position + 1 - state.entries.count))
                }
                if state.entries[position] == nil { state.count += 1 }
                state.entries[position] = entry
                state.shelve(entry, at: position)
            }
            state.version += 1
        }
    }

    /// Removes an item (it is no longer recommended).
    public func remove(id: String) {
        guard let number = index.number(of: id) else { return }
        state.withLock { state in
            guard Int(number) < state.entries.count, state.entries[Int(number)] != nil else { return }
            state.entries[Int(number)] = nil
            state.shelve(nil, at: Int(number))
            state.count -= 1
            state.version += 1
        }
    }

    /// The entry of an item number, if the item is in the catalog.
    public func entry(_ number: UInt32) -> Entry? {
        state.withLock { Int(number) < $0.entries.count ? $0.entries[Int(number)] : nil }
    }

    /// Entries of several items at once (one lock).
    public func entries(_ numbers: [UInt32]) -> [Entry?] {
        state.withLock { state in numbers.map { Int($0) < state.entries.count ? state.entries[Int($0)] : nil } }
    }

    /// Shelves of several items at once (one lock); an item not in the catalog is not available.
    func shelves(_ numbers: [UInt32]) -> [Shelf] {
        state.withLock { state in
            state.shelves.withUnsafeBufferPointer { shelves in
                numbers.map { Int($0) < shelves.count ? shelves[Int($0)] : Shelf() }
            }
        }
    }

    /// Estimated bytes: each entry's item, its JSON for expressions and its category keys (about
    /// three times the item's compact JSON).
    func footprint() -> Int {
        // Entries are references: copied out under the lock, measured outside it, so that decisions
        // do not wait for a scrape.
        let entries = state.withLock { $0.entries }
        var bytes = ModelFootprint.array(entries.count, stride: 8 + MemoryLayout<Shelf>.stride)
        for case let entry? in entries {
            bytes += 64 + 3 * JSONWriter.bytes(entry.json).count
            for key in entry.categoryKeys { bytes += ModelFootprint.string(key) }
        }
        return bytes
    }

    /// Number of items in the catalog, and a number that changes with every change.
    public var count: Int { state.withLock { $0.count } }
    public var version: Int { state.withLock { $0.version } }

    /// Category keys by item number (empty for unknown items).
    func categoryKeys() -> [[String]] { state.withLock { $0.entries.map { $0?.categoryKeys ?? [] } } }

    /// Every entry with its number (for index builds, off the hot path).
    func allEntries() -> [(UInt32, Entry)] {
        state.withLock { state in state.entries.enumerated().compactMap { index, entry in entry.map { (UInt32(index), $0) } } }
    }
}
