import Foundation
import GatehouseCore
import GatehouseStore
import GatehouseTestSupport
import Testing

/// The device code part of the store contract (RFC 8628, SPEC §11), on every backend: the polling
/// state and the decision are compare-and-swaps in the database, and a redemption is one unit.
@Suite("Store conformance: device codes")
struct DeviceCodeStoreTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    struct Seeded {
        let client: Client
        let user: User
        let authorization: DeviceAuthorization
    }

    private func seed(_ store: any ConformingStore, at date: Date = start, ttl: TimeInterval = 600) async throws -> Seeded {
        let client = Client(
            id: SecretGenerator().makeIdentifier(), name: uniqueName("tv"), secretHash: nil, redirectURIs: [],
            grantTypes: [.deviceCode, .refreshToken], scopes: ["read", "write"], createdAt: date
        )
        try await store.createClient(client)
        let user = User(id: SecretGenerator().makeIdentifier(), username: uniqueName("user"), passwordHash: "$2b$12$x", createdAt: date)
        try await store.createUser(user)
        let authorization = DeviceAuthorization(
            deviceCodeHash: SecretHasher.hash(SecretGenerator().make(.deviceCode)),
            userCodeHash: UserCode.hash(normalized: UserCode.normalize(UserCode.make()) ?? ""), clientID: client.id,
            scope: ["read", "write"], resources: ["https://api.example/"], createdAt: date, expiresAt: date.addingTimeInterval(ttl),
            interval: 5
        )
        try await store.createDeviceAuthorization(authorization)
        return Seeded(client: client, user: user, authorization: authorization)
    }

    private func approve(_ store: any ConformingStore, _ seeded: Seeded, grantID: String, at date: Date = start) async throws -> Bool {
        try await store.decideDeviceAuthorization(
            userCodeHash: seeded.authorization.userCodeHash,
            decision: .approved(userID: seeded.user.id, scope: ["read"], grantID: grantID, delegation: nil), at: date
        )
    }

    private func tokens(_ seeded: Seeded, grantID: String, at date: Date = start) -> IssuedTokens {
        let access = AccessTokenRecord(
            id: SecretGenerator().makeIdentifier(), tokenHash: SecretHasher.hash(SecretGenerator().make(.accessToken)),
            clientID: seeded.client.id, userID: seeded.user.id, scope: ["read"], issuedAt: date, expiresAt: date.addingTimeInterval(3600),
            grantID: grantID
        )
        let refresh = RefreshTokenRecord(
            id: SecretGenerator().makeIdentifier(), tokenHash: SecretHasher.hash(SecretGenerator().make(.refreshToken)),
            grantID: grantID, clientID: seeded.client.id, userID: seeded.user.id, scope: ["read"], issuedAt: date,
            expiresAt: date.addingTimeInterval(86_400)
        )
        return IssuedTokens(accessToken: access, refreshToken: refresh)
    }

    private func grant(_ seeded: Seeded, id: String) -> Grant {
        Grant(id: id, clientID: seeded.client.id, userID: seeded.user.id, scope: ["read"], createdAt: Self.start)
    }

    @Test("a new request is pending under its user code until it expires; a taken user code is refused", arguments: StoreBackend.all)
    func createAndFind(backend: StoreBackend) async throws {
        try await TestStore.with(backend) { db in
            let seeded = try await seed(db.store)
            let found = try await db.store.pendingDeviceAuthorization(userCodeHash: seeded.authorization.userCodeHash, at: Self.start)
            #expect(found == seeded.authorization)
            let late = Self.start.addingTimeInterval(600)
            #expect(try await db.store.pendingDeviceAuthorization(userCodeHash: seeded.authorization.userCodeHash, at: late) == nil)
            var twin = seeded.authorization
            twin.deviceCodeHash = SecretHasher.hash(SecretGenerator().make(.deviceCode))
            await #expect(throws: StoreError.duplicate("a device authorization with this device or user code")) {
                try await db.store.createDeviceAuthorization(twin)
            }
            var orphan = twin
            orphan.userCodeHash = SecretHasher.hash("orphan")
            orphan.clientID = "no-such-client"
            await #expect(throws: StoreError.self) { try await db.store.createDeviceAuthorization(orphan) }
        }
    }

    @Test("a poll within the interval is too early and grows the interval by 5 s, persisted", arguments: StoreBackend.all)
    func pollingState(backend: StoreBackend) async throws {
        try await TestStore.with(backend) { db in
            let seeded = try await seed(db.store)
            let hash = seeded.authorization.deviceCodeHash
            let client = seeded.client.id
            let first = try await db.store.pollDeviceAuthorization(deviceCodeHash: hash, clientID: client, at: Self.start, slowDownBy: 5)
            #expect(first?.tooEarly == false)
            #expect(first?.authorization.interval == 5)
            let early = try await db.store.pollDeviceAuthorization(
                deviceCodeHash: hash, clientID: client, at: Self.start.addingTimeInterval(4), slowDownBy: 5
            )
            #expect(early?.tooEarly == true)
            #expect(early?.authorization.interval == 10)
            // The previous poll was at +4 s; the interval is now 10 s.
            let stillEarly = try await db.store.pollDeviceAuthorization(
                deviceCodeHash: hash, clientID: client, at: Self.start.addingTimeInterval(13), slowDownBy: 5
            )
            #expect(stillEarly?.tooEarly == true)
            #expect(stillEarly?.authorization.interval == 15)
            let onTime = try await db.store.pollDeviceAuthorization(
                deviceCodeHash: hash, clientID: client, at: Self.start.addingTimeInterval(28), slowDownBy: 5
            )
            #expect(onTime?.tooEarly == false)
            #expect(onTime?.authorization.interval == 15)
            #expect(onTime?.authorization.lastPolledAt == Self.start.addingTimeInterval(28))
            // Another client's poll finds nothing and changes nothing.
            #expect(
                try await db.store.pollDeviceAuthorization(
                    deviceCodeHash: hash, clientID: "another", at: Self.start.addingTimeInterval(29), slowDownBy: 5
                ) == nil
            )
            let after = try await db.store.pollDeviceAuthorization(
                deviceCodeHash: hash, clientID: client, at: Self.start.addingTimeInterval(43), slowDownBy: 5
            )
            #expect(after?.tooEarly == false)
        }
    }

    @Test("a decision is taken once, only while pending and unexpired", arguments: StoreBackend.all)
    func decideOnce(backend: StoreBackend) async throws {
        try await TestStore.with(backend) { db in
            let seeded = try await seed(db.store)
            let grantID = SecretGenerator().makeIdentifier()
            #expect(try await approve(db.store, seeded, grantID: grantID))
            #expect(try await approve(db.store, seeded, grantID: grantID) == false)
            #expect(
                try await db.store.decideDeviceAuthorization(userCodeHash: seeded.authorization.userCodeHash, decision: .denied, at: Self.start)
                    == false
            )
            #expect(try await db.store.pendingDeviceAuthorization(userCodeHash: seeded.authorization.userCodeHash, at: Self.start) == nil)
            let poll = try await db.store.pollDeviceAuthorization(
                deviceCodeHash: seeded.authorization.deviceCodeHash, clientID: seeded.client.id, at: Self.start, slowDownBy: 5
            )
            #expect(poll?.authorization.status == .approved)
            #expect(poll?.authorization.grantID == grantID)
            #expect(poll?.authorization.userID == seeded.user.id)
            #expect(poll?.authorization.scope == ["read"])

            let denied = try await seed(db.store)
            #expect(
                try await db.store.decideDeviceAuthorization(userCodeHash: denied.authorization.userCodeHash, decision: .denied, at: Self.start)
            )
            let deniedPoll = try await db.store.pollDeviceAuthorization(
                deviceCodeHash: denied.authorization.deviceCodeHash, clientID: denied.client.id, at: Self.start, slowDownBy: 5
            )
            #expect(deniedPoll?.authorization.status == .denied)

            let expired = try await seed(db.store)
            #expect(try await approve(db.store, expired, grantID: grantID, at: Self.start.addingTimeInterval(600)) == false)
        }
    }

    @Test("a redemption stores the grant and tokens once; a second, a pending or another client's finds nothing", arguments: StoreBackend.all)
    func redeemOnce(backend: StoreBackend) async throws {
        try await TestStore.with(backend) { db in
            let seeded = try await seed(db.store)
            let grantID = SecretGenerator().makeIdentifier()
            let hash = seeded.authorization.deviceCodeHash
            let early = tokens(seeded, grantID: grantID)
            #expect(
                try await db.store.redeemDeviceAuthorization(
                    deviceCodeHash: hash, clientID: seeded.client.id, grant: grant(seeded, id: grantID), issuing: early, at: Self.start
                ) == false
            )
            #expect(try await db.store.grant(id: grantID) == nil)
            #expect(try await approve(db.store, seeded, grantID: grantID))
            #expect(
                try await db.store.redeemDeviceAuthorization(
                    deviceCodeHash: hash, clientID: "another", grant: grant(seeded, id: grantID), issuing: early, at: Self.start
                ) == false
            )
            let issued = tokens(seeded, grantID: grantID)
            #expect(
                try await db.store.redeemDeviceAuthorization(
                    deviceCodeHash: hash, clientID: seeded.client.id, grant: grant(seeded, id: grantID), issuing: issued, at: Self.start
                )
            )
            #expect(try await db.store.grant(id: grantID)?.userID == seeded.user.id)
            #expect(try await db.store.accessToken(hash: issued.accessToken.tokenHash) != nil)
            #expect(try await db.store.refreshToken(hash: issued.refreshToken?.tokenHash ?? "") != nil)
            #expect(
                try await db.store.redeemDeviceAuthorization(
                    deviceCodeHash: hash, clientID: seeded.client.id, grant: grant(seeded, id: SecretGenerator().makeIdentifier()),
                    issuing: tokens(seeded, grantID: grantID), at: Self.start
                ) == false
            )
            let poll = try await db.store.pollDeviceAuthorization(deviceCodeHash: hash, clientID: seeded.client.id, at: Self.start, slowDownBy: 5)
            #expect(poll?.authorization.status == .redeemed)
        }
    }

    @Test("a redemption whose insert fails writes nothing and leaves the request redeemable", arguments: StoreBackend.all)
    func redeemRollsBack(backend: StoreBackend) async throws {
        try await TestStore.with(backend) { db in
            let seeded = try await seed(db.store)
            let grantID = SecretGenerator().makeIdentifier()
            #expect(try await approve(db.store, seeded, grantID: grantID))
            let existing = tokens(seeded, grantID: grantID).accessToken
            var stored = existing
            stored.grantID = nil
            try await db.store.insertAccessToken(stored)
            var clashing = tokens(seeded, grantID: grantID)
            clashing.accessToken.tokenHash = existing.tokenHash
            await #expect(throws: StoreError.self) {
                try await db.store.redeemDeviceAuthorization(
                    deviceCodeHash: seeded.authorization.deviceCodeHash, clientID: seeded.client.id, grant: grant(seeded, id: grantID),
                    issuing: clashing, at: Self.start
                )
            }
            #expect(try await db.store.grant(id: grantID) == nil)
            #expect(
                try await db.store.redeemDeviceAuthorization(
                    deviceCodeHash: seeded.authorization.deviceCodeHash, clientID: seeded.client.id, grant: grant(seeded, id: grantID),
                    issuing: tokens(seeded, grantID: grantID), at: Self.start
                )
            )
        }
    }

    @Test("of concurrent redemptions exactly one succeeds", arguments: StoreBackend.all)
    func concurrentRedemptions(backend: StoreBackend) async throws {
        try await TestStore.with(backend) { db in
            let seeded = try await seed(db.store)
            let grantID = SecretGenerator().makeIdentifier()
            #expect(try await approve(db.store, seeded, grantID: grantID))
            let store = db.store
            let wins = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<8 {
                    let issued = tokens(seeded, grantID: grantID)
                    let candidate = grant(seeded, id: grantID)
                    group.addTask {
                        do {
                            return try await store.redeemDeviceAuthorization(
                                deviceCodeHash: seeded.authorization.deviceCodeHash, clientID: seeded.client.id, grant: candidate,
                                issuing: issued, at: Self.start
                            )
                        } catch StoreError.duplicate {
                            // The loser of a race may meet the winner's grant row instead of the swap.
                            return false
                        }
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(wins == 1)
        }
    }

    @Test("the janitor purges expired device codes; deleting the client deletes its requests", arguments: StoreBackend.all)
    func purgeAndCascade(backend: StoreBackend) async throws {
        try await TestStore.with(backend) { db in
            let old = try await seed(db.store, at: Date(timeIntervalSince1970: 1_000))
            let live = try await seed(db.store, at: Date(), ttl: 600)
            try await db.store.purgeExpired(now: Date(), retention: 86_400)
            #expect(
                try await db.store.pollDeviceAuthorization(
                    deviceCodeHash: old.authorization.deviceCodeHash, clientID: old.client.id, at: Date(), slowDownBy: 5
                ) == nil
            )
            #expect(try await db.store.pendingDeviceAuthorization(userCodeHash: live.authorization.userCodeHash, at: Date()) != nil)
            #expect(try await db.store.deleteClient(id: live.client.id))
            #expect(try await db.store.pendingDeviceAuthorization(userCodeHash: live.authorization.userCodeHash, at: Date()) == nil)
        }
    }
}
