/// The user code of the device authorization grant (SPEC §11, RFC 8628 §6.1): 8 characters from
/// `BCDFGHJKLMNPQRSTVWXZ` — 20 consonants, so no word can be spelled and no vowel or digit confused
/// — shown as `XXXX-XXXX`. 20^8 is about 2^34.6 codes; the rate limit on wrong entries keeps them
/// out of reach of guessing (RFC 8628 §5.1).
public enum UserCode {
    public static let alphabet: [Character] = Array("BCDFGHJKLMNPQRSTVWXZ")
    public static let length = 8

    /// A new code, as shown: `XXXX-XXXX`.
    public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        let characters = (0..<length).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] }
        return String(characters.prefix(4)) + "-" + String(characters.suffix(4))
    }

    /// The code as typed, in any case, with or without the dash (and spaces around it), in its
    /// canonical form of 8 upper-case characters; `nil` when it cannot be a user code.
    public static func normalize(_ typed: String) -> String? {
        let characters = typed.uppercased().filter { $0 != "-" && $0 != " " }
        guard characters.count == length, characters.allSatisfy(alphabet.contains) else { return nil }
        return characters
    }

    /// The hash the store keeps: SHA-256 of the normalized code.
    public static func hash(normalized: String) -> String {
        SecretHasher.hash(normalized)
    }
}
