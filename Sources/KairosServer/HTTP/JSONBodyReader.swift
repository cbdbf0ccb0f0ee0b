import CompressNIO
import Hummingbird
import KairosCore
import NIOCore

/// Reads a request body as JSON: checks the media type and encoding, enforces the size limit
/// (before and after decompression), inflates gzip/deflate, and parses.
struct JSONBodyReader: Sendable {
    let maxBytes: Int

    func read(_ request: Request) async throws -> JSONValue {
        try checkContentType(request.headers[.contentType])
        let encoding = request.headers[.contentEncoding]?.lowercased().trimmingCharacters(in: .whitespaces)
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBytes {
            throw tooLarge()
        }
        var buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maxBytes)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw tooLarge()
        }
        switch encoding {
        case nil, "", "identity":
            break
        case "gzip", "x-gzip", "deflate":
            do {
                buffer = try buffer.decompress(with: encoding == "deflate" ? .zlib() : .gzip(), maxSize: maxBytes)
            } catch let error as CompressNIOError where error == .bufferOverflow {
                throw tooLarge()
            } catch {
                throw APIError(
                    status: 400, code: "invalid_encoding", message: "the body is not valid \(encoding ?? "") data",
                    field: "Content-Encoding")
            }
        case let other?:
            throw APIError(
                status: 415, code: "unsupported_encoding",
                message: "Content-Encoding '\(other)' is not supported; use gzip, deflate or none", field: "Content-Encoding")
        }
        guard buffer.readableBytes > 0 else {
            throw APIError(status: 400, code: "malformed_json", message: "the body is empty")
        }
        let result = buffer.withUnsafeReadableBytes { bytes -> Result<JSONValue, JSONParseError> in
            do throws(JSONParseError) {
                return .success(try JSONParser.parse(bytes: bytes))
            } catch {
                return .failure(error)
            }
        }
        switch result {
        case .success(let value): return value
        case .failure(let error): throw APIError.malformedJSON(error)
        }
    }

    private func checkContentType(_ value: String?) throws(APIError) {
        guard let value, value != "application/json" else { return }  // the usual case, without parsing
        let mediaType = value.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        // text/plain: what browsers' navigator.sendBeacon sends.
        guard mediaType == "application/json" || mediaType == "text/plain" || mediaType.hasSuffix("+json") else {
            throw APIError(
                status: 415, code: "unsupported_media_type",
                message: "Content-Type '\(value)' is not supported; send application/json", field: "Content-Type")
        }
    }

    private func tooLarge() -> APIError {
        .tooLarge("the request body is larger than \(maxBytes) bytes")
    }
}
