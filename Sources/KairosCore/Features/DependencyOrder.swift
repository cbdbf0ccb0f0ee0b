/// Topological order of definitions that refer to each other (features reading features, segments
/// reading segments); a cycle is a 422 that names it.
enum DependencyOrder {
    /// Indices of `ids` so that each comes after those it depends on (`dependencies[i]` are indices).
    static func sort(ids: [String], dependencies: [[Int]], kind: String, field: String) throws(APIError) -> [Int] {
        var state = [UInt8](repeating: 0, count: ids.count)  // 0 new, 1 visiting, 2 done
        var order: [Int] = []
        func visit(_ node: Int, path: [String]) throws(APIError) {
            if state[node] == 2 { return }
            if state[node] == 1 {
                throw APIError(
                    status: 422, code: "dependency_cycle",
                    message: "\(kind) refer to each other in a cycle: \((path + [ids[node]]).joined(separator: " → "))",
                    field: field)
            }
            state[node] = 1
            for next in dependencies[node] { try visit(next, path: path + [ids[node]]) }
            state[node] = 2
            order.append(node)
        }
        for node in ids.indices { try visit(node, path: []) }
        return order
    }
}
