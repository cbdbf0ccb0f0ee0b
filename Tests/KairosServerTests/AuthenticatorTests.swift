import Foundation
import HTTPTypes
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
}
