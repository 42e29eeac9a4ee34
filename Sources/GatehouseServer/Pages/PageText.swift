/// The words of the HTML pages in every language of the error catalog.
enum PageText {
    static let strings: [String: [String: String]] = [
        "en": [
            "sign_in_title": "Sign in", "sign_in_lead": "Sign in to continue to", "username": "Username",
            "password": "Password", "sign_in": "Sign in", "wrong_credentials": "The username or password is not correct.",
            "throttled": "Too many failed attempts. Please wait and try again.",
            "consent_title": "Allow access?", "consent_lead": "wants to access your account. It will be able to:",
            "allow": "Allow", "deny": "Deny", "signed_in_as": "Signed in as",
            "error_title": "This request cannot be completed", "error_lead": "The application sent an invalid request.",
            "csrf_title": "This form has expired", "csrf_lead": "Go back to the application and start again.",
            "scope_profile": "See your username and profile", "scope_read": "Read your data", "scope_write": "Change your data",
            "scope_email": "See your email address", "scope_offline_access": "Keep access while you are away",
            "scope_openid": "Confirm who you are",
        ],
        "de": [
            "sign_in_title": "Anmelden", "sign_in_lead": "Melden Sie sich an, um fortzufahren zu", "username": "Benutzername",
            "password": "Passwort", "sign_in": "Anmelden", "wrong_credentials": "Benutzername oder Passwort ist nicht korrekt.",
            "throttled": "Zu viele Fehlversuche. Bitte warten Sie und versuchen Sie es erneut.",
            "consent_title": "Zugriff erlauben?", "consent_lead": "möchte auf Ihr Konto zugreifen. Die Anwendung darf dann:",
            "allow": "Erlauben", "deny": "Ablehnen", "signed_in_as": "Angemeldet als",
            "error_title": "Diese Anfrage kann nicht ausgeführt werden", "error_lead": "Die Anwendung hat eine ungültige Anfrage gesendet.",
            "csrf_title": "Dieses Formular ist abgelaufen", "csrf_lead": "Kehren Sie zur Anwendung zurück und beginnen Sie erneut.",
            "scope_profile": "Ihren Benutzernamen und Ihr Profil sehen", "scope_read": "Ihre Daten lesen", "scope_write": "Ihre Daten ändern",
            "scope_email": "Ihre E-Mail-Adresse sehen", "scope_offline_access": "Zugriff behalten, während Sie abwesend sind",
            "scope_openid": "Bestätigen, wer Sie sind",
        ],
        "fr": [
            "sign_in_title": "Connexion", "sign_in_lead": "Connectez-vous pour continuer vers", "username": "Nom d'utilisateur",
            "password": "Mot de passe", "sign_in": "Se connecter", "wrong_credentials": "Le nom d'utilisateur ou le mot de passe est incorrect.",
            "throttled": "Trop de tentatives échouées. Patientez puis réessayez.",
            "consent_title": "Autoriser l'accès ?", "consent_lead": "souhaite accéder à votre compte. L'application pourra :",
            "allow": "Autoriser", "deny": "Refuser", "signed_in_as": "Connecté en tant que",
            "error_title": "Cette demande ne peut pas aboutir", "error_lead": "L'application a envoyé une requête invalide.",
            "csrf_title": "Ce formulaire a expiré", "csrf_lead": "Revenez à l'application et recommencez.",
            "scope_profile": "Voir votre nom d'utilisateur et votre profil", "scope_read": "Lire vos données",
            "scope_write": "Modifier vos données", "scope_email": "Voir votre adresse e-mail",
            "scope_offline_access": "Conserver l'accès en votre absence",
            "scope_openid": "Confirmer votre identité",
        ],
        "es": [
            "sign_in_title": "Iniciar sesión", "sign_in_lead": "Inicie sesión para continuar en", "username": "Usuario",
            "password": "Contraseña", "sign_in": "Iniciar sesión", "wrong_credentials": "El usuario o la contraseña no son correctos.",
            "throttled": "Demasiados intentos fallidos. Espere y vuelva a intentarlo.",
            "consent_title": "¿Permitir el acceso?", "consent_lead": "quiere acceder a su cuenta. Podrá:",
            "allow": "Permitir", "deny": "Denegar", "signed_in_as": "Sesión iniciada como",
            "error_title": "No se puede completar esta solicitud", "error_lead": "La aplicación envió una solicitud no válida.",
            "csrf_title": "Este formulario ha caducado", "csrf_lead": "Vuelva a la aplicación y empiece de nuevo.",
            "scope_profile": "Ver su nombre de usuario y su perfil", "scope_read": "Leer sus datos", "scope_write": "Modificar sus datos",
            "scope_email": "Ver su dirección de correo", "scope_offline_access": "Mantener el acceso mientras no está",
            "scope_openid": "Confirmar su identidad",
        ],
        "ja": [
            "sign_in_title": "サインイン", "sign_in_lead": "続行するにはサインインしてください:", "username": "ユーザー名",
            "password": "パスワード", "sign_in": "サインイン", "wrong_credentials": "ユーザー名またはパスワードが正しくありません。",
            "throttled": "失敗した試行が多すぎます。しばらく待ってから再試行してください。",
            "consent_title": "アクセスを許可しますか?", "consent_lead": "があなたのアカウントへのアクセスを求めています。許可すると次のことができます:",
            "allow": "許可", "deny": "拒否", "signed_in_as": "サインイン中:",
            "error_title": "このリクエストは完了できません", "error_lead": "アプリケーションが無効なリクエストを送信しました。",
            "csrf_title": "このフォームは期限切れです", "csrf_lead": "アプリケーションに戻ってやり直してください。",
            "scope_profile": "ユーザー名とプロフィールの表示", "scope_read": "データの読み取り", "scope_write": "データの変更",
            "scope_email": "メールアドレスの表示", "scope_offline_access": "不在時もアクセスを維持",
            "scope_openid": "本人であることの確認",
        ],
    ]

    /// The texts of one language, English filling any gap.
    static func texts(for language: String) -> [String: String] {
        let english = (strings["en"] ?? [:]).merging(deviceStrings["en"] ?? [:]) { $1 }
        return english.merging(strings[language] ?? [:]) { $1 }.merging(deviceStrings[language] ?? [:]) { $1 }
    }
}
