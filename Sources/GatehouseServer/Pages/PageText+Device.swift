extension PageText {
    /// The words of the device verification page `/device` (SPEC §11), in every language of the
    /// error catalog.
    static let deviceStrings: [String: [String: String]] = [
        "en": [
            "device_title": "Connect a device", "device_lead": "Enter the code shown on your device.", "device_code": "Code",
            "device_continue": "Continue", "device_unknown_code": "This code is not valid or has expired. Check it and try again.",
            "device_throttled": "Too many wrong codes. Please wait and try again.",
            "device_code_check": "Check that your device shows this code:",
            "device_approved_title": "Device connected", "device_approved_lead": "You may return to your device.",
            "device_denied_title": "Access denied", "device_denied_lead": "The device was not given access. You may return to your device.",
        ],
        "de": [
            "device_title": "Gerät verbinden", "device_lead": "Geben Sie den Code ein, den Ihr Gerät anzeigt.", "device_code": "Code",
            "device_continue": "Weiter", "device_unknown_code": "Dieser Code ist ungültig oder abgelaufen. Prüfen Sie ihn und versuchen Sie es erneut.",
            "device_throttled": "Zu viele falsche Codes. Bitte warten Sie und versuchen Sie es erneut.",
            "device_code_check": "Prüfen Sie, ob Ihr Gerät diesen Code anzeigt:",
            "device_approved_title": "Gerät verbunden", "device_approved_lead": "Sie können zu Ihrem Gerät zurückkehren.",
            "device_denied_title": "Zugriff abgelehnt",
            "device_denied_lead": "Das Gerät hat keinen Zugriff erhalten. Sie können zu Ihrem Gerät zurückkehren.",
        ],
        "fr": [
            "device_title": "Connecter un appareil", "device_lead": "Saisissez le code affiché sur votre appareil.", "device_code": "Code",
            "device_continue": "Continuer", "device_unknown_code": "Ce code n'est pas valide ou a expiré. Vérifiez-le et réessayez.",
            "device_throttled": "Trop de codes erronés. Patientez puis réessayez.",
            "device_code_check": "Vérifiez que votre appareil affiche ce code :",
            "device_approved_title": "Appareil connecté", "device_approved_lead": "Vous pouvez retourner à votre appareil.",
            "device_denied_title": "Accès refusé",
            "device_denied_lead": "L'appareil n'a pas obtenu l'accès. Vous pouvez retourner à votre appareil.",
        ],
        "es": [
            "device_title": "Conectar un dispositivo", "device_lead": "Introduzca el código que muestra su dispositivo.", "device_code": "Código",
            "device_continue": "Continuar", "device_unknown_code": "Este código no es válido o ha caducado. Compruébelo y vuelva a intentarlo.",
            "device_throttled": "Demasiados códigos erróneos. Espere y vuelva a intentarlo.",
            "device_code_check": "Compruebe que su dispositivo muestra este código:",
            "device_approved_title": "Dispositivo conectado", "device_approved_lead": "Puede volver a su dispositivo.",
            "device_denied_title": "Acceso denegado",
            "device_denied_lead": "El dispositivo no ha recibido acceso. Puede volver a su dispositivo.",
        ],
        "ja": [
            "device_title": "デバイスを接続", "device_lead": "デバイスに表示されているコードを入力してください。", "device_code": "コード",
            "device_continue": "続行", "device_unknown_code": "このコードは無効か期限切れです。確認してもう一度お試しください。",
            "device_throttled": "誤ったコードが多すぎます。しばらく待ってから再試行してください。",
            "device_code_check": "デバイスにこのコードが表示されていることを確認してください:",
            "device_approved_title": "デバイスを接続しました", "device_approved_lead": "デバイスに戻ってください。",
            "device_denied_title": "アクセスが拒否されました", "device_denied_lead": "デバイスにアクセスは許可されませんでした。デバイスに戻ってください。",
        ],
    ]
}
