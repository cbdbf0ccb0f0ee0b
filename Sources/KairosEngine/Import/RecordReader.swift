import CSV
import Foundation
import KairosCore

/// Reads records from an NDJSON or CSV file as JSON objects, streaming, with the 1-based line
/// (or row) number of each.
final class RecordReader {
    enum Format { case ndjson, csv }

    struct Record {
        var number: Int
        /// The record, or why it could not be read.
        var value: Result<JSONValue, APIError>
        /// Bytes of the file consumed so far (NDJSON only; 0 for CSV).
        var bytesRead: Int
    }

    let format: Format
    private var handle: FileHandle?
    private var buffer: [UInt8] = []
    private var bufferStart = 0
    private var consumed = 0
    private var finished = false
    private var csv: CSVReader?
    private var number = 0

    init(path: String) throws {
        format = path.lowercased().hasSuffix(".csv") ? .csv : .ndjson
        switch format {
        case .ndjson:
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw APIError(status: 404, code: "not_found", message: "cannot open \(path)")
            }
            self.handle = handle
        case .csv:
            guard let stream = InputStream(fileAtPath: path) else {
                throw APIError(status: 404, code: "not_found", message: "cannot open \(path)")
            }
            csv = try CSVReader(stream: stream, hasHeaderRow: true, trimFields: true)
        }
    }

    func next() -> Record? {
        switch format {
        case .csv: return nextCSV()
        case .ndjson: return nextLine()
        }
    }

    private func nextCSV() -> Record? {
        guard let csv, let row = csv.next() else { return nil }
        number += 1
        let header = csv.headerRow ?? []
        var fields: [String: JSONValue] = [:]
        for (column, name) in header.enumerated() where column < row.count && !row[column].isEmpty {
            fields[name] = .string(row[column])
        }
        return Record(number: number, value: .success(.object(fields)), bytesRead: 0)
    }

    private func nextLine() -> Record? {
        while true {
            if let newline = buffer[bufferStart...].firstIndex(of: 0x0A) {
                let line = Array(buffer[bufferStart..<newline])
                consumed += newline - bufferStart + 1
                bufferStart = newline + 1
                number += 1
                if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
                return record(line)
            }
            if finished {
                guard bufferStart < buffer.count else { return nil }
                let line = Array(buffer[bufferStart...])
                consumed += line.count
                bufferStart = buffer.count
                number += 1
                if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return nil }
                return record(line)
            }
            buffer.removeFirst(bufferStart)
            bufferStart = 0
            let chunk = handle?.readData(ofLength: 1 << 20) ?? Data()
            if chunk.isEmpty { finished = true } else { buffer.append(contentsOf: chunk) }
        }
    }

    private func record(_ line: [UInt8]) -> Record {
        do throws(JSONParseError) {
            return Record(number: number, value: .success(try JSONParser.parse(line)), bytesRead: consumed)
        } catch {
            return Record(number: number, value: .failure(.malformedJSON(error)), bytesRead: consumed)
        }
    }
}
