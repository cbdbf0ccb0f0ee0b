import Foundation
import HTTPTypes
import KairosCore
import KairosServer
import Testing

@Suite struct AuthenticatorTests {
    let authenticator = Authenticator(keys: KeyRing())

    func key(_ authorization: String) -> String? {
        var headers = HTTPFields()
        headers[.authorization] = authorization
        return authenticator.presentedKey(headers)
    }

    func basic(_ credentials: String) -> String { Data(credentials.utf8).base64EncodedString() }

    @Test func basicAndBearerInAnyCaseWithSpaces() {
        #expect(key("Basic " + basic("wk:")) == "wk")
        #expect(key("basic " + basic("wk:secret:with:colons")) == "wk")
        #expect(key("BASIC   " + basic("wk") + " \t") == "wk")
        #expect(key("Bearer sk-1") == "sk-1")
        #expect(key("bEaReR \tsk-1  ") == "sk-1")
        #expect(key("Basic " + basic(":password")) == "")
    }

    @Test func otherSchemesAndBadCredentialsPresentNoKey() {
        #expect(key("Bearer") == nil)
        #expect(key("Bearer    ") == nil)
        #expect(key("Bearerx sk") == nil)
        #expect(key("Basic not*base64") == nil)
        #expect(key("Digest username=x") == nil)
        #expect(key("") == nil)
        #expect(authenticator.presentedKey(HTTPFields()) == nil)
    }

    @Test func aKnownHeaderIsRememberedWithItsScopeAndOthersStillRefused() throws {
        var keys = KeyRing()
        keys.add("wk", scope: .write)
        keys.add("sk", scope: .secret)
        let authenticator = Authenticator(keys: keys)
        func headers(_ value: String?) -> HTTPFields {
            var fields = HTTPFields()
            if let value { fields[.authorization] = value }
            return fields
        }
        for _ in 0..<2 {  // the second round answers from the remembered headers
            #expect(try authenticator.authorize(headers: headers("Basic " + basic("wk:")), required: .write))
            #expect(throws: APIError.self) { try authenticator.authorize(headers: headers("Basic " + basic("wk:")), required: .secret) }
            #expect(try authenticator.authorize(headers: headers("Bearer sk"), required: .secret))
            #expect(throws: APIError.self) { try authenticator.authorize(headers: headers("Bearer nope"), required: .write) }
            #expect(throws: APIError.self) { try authenticator.authorize(headers: headers(nil), required: .write) }
            #expect(try authenticator.authorize(headers: headers(nil), required: .write, optional: true) == false)
            #expect(throws: APIError.self) { try authenticator.authorize(headers: headers("Bearer nope"), required: .write, optional: true) }
        }
    }

    /// A remembered header matches byte for byte: a Unicode-equivalent spelling of a known
    /// Bearer key is checked against the digests (and refused), not found in the cache.
    @Test func aUnicodeEquivalentHeaderIsNotTakenForARememberedOne() throws {
        var keys = KeyRing()
        keys.add("Key-1", scope: .secret)
        let authenticator = Authenticator(keys: keys)
        var known = HTTPFields()
        known[.authorization] = "Bearer Key-1"
        #expect(try authenticator.authorize(headers: known, required: .secret))
        var kelvin = HTTPFields()
        kelvin[.authorization] = "Bearer \u{212A}ey-1"  // KELVIN SIGN, canonically a K
        #expect(kelvin[.authorization] == known[.authorization])  // equal as Swift strings
        #expect(throws: APIError.self) { try authenticator.authorize(headers: kelvin, required: .secret) }
    }
}
