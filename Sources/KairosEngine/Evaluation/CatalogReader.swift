import Foundation
import KairosCore

/// Reads a catalog file (the same CSV or NDJSON `kairos import` takes for items) into memory.
public enum CatalogReader {
    /// The valid items of the file; the first invalid record stops the read with its line.
    public static func read(path: String) throws -> [Item] {
        let reader = try RecordReader(path: path)
        let now = Timestamp.now()
        var items: [Item] = []
        while let record = reader.next() {
            do throws(APIError) {
                let value = try record.value.get()
                items.append(try Item.parse(Importer.typedItemFields(value), now: now))
            } catch {
                throw APIError(
                    status: 422, code: error.code, message: "\(path) line \(record.number): \(error.message)", field: error.field)
            }
        }
        return items
    }
}
