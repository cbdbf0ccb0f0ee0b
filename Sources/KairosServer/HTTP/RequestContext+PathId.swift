import Foundation
import Hummingbird

extension RequestContext {
    /// The `{id}` path parameter, percent-decoded (ids may hold spaces, slashes or any text).
    func pathId() throws -> String {
        let raw = try parameters.require("id")
        return raw.removingPercentEncoding ?? raw
    }
}
