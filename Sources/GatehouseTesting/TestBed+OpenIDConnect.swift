import Foundation
public import GatehouseCore

extension TestBed {
    /// The key ring of the bed's store and clock: the keys of `id_token`s (the first use makes one).
    public func keyRing() -> KeyRing {
        KeyRing(
            store: store, encryption: KeyEncryption(secret: nil), refreshInterval: configuration.keyRefreshInterval,
            accessTokenLifetime: configuration.accessTokenTTL, now: { clock.now() }
        )
    }

    /// Issues the `id_token`s of `openid` grants, as the server does.
    public func idTokenIssuer() -> IDTokenIssuer {
        IDTokenIssuer(keys: keyRing(), issuer: configuration.issuer, lifetime: configuration.idTokenTTL)
    }
}
