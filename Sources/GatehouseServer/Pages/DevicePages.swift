import GatehouseCore
import Mustache

/// The pages of the device verification page `/device` (SPEC §11) that the authorization pages do
/// not have: the code form and the page that sends the user back to the device. Both render inside
/// ``HTMLPages``' layout and carry its headers.
struct DevicePages: Sendable {
    static let codeTemplate = """
        <h1>{{text.device_title}}</h1>
        <p class="muted">{{text.device_lead}}</p>
        {{#message}}<p class="alert" role="alert">{{message}}</p>{{/message}}
        <form method="post">
        <input type="hidden" name="csrf_token" value="{{csrfToken}}">
        <label for="user_code">{{text.device_code}}</label>
        <input type="text" id="user_code" name="user_code" value="{{userCode}}" placeholder="XXXX-XXXX" autocomplete="one-time-code" autocapitalize="characters" spellcheck="false" required autofocus>
        <div class="actions"><button type="submit" class="primary">{{text.device_continue}}</button></div>
        </form>
        """

    static let doneTemplate = """
        <h1>{{title}}</h1>
        <p>{{lead}}</p>
        """

    private let code: MustacheTemplate
    private let done: MustacheTemplate
    let pages: HTMLPages

    init(pages: HTMLPages) throws {
        self.code = try MustacheTemplate(html: Self.codeTemplate)
        self.done = try MustacheTemplate(html: Self.doneTemplate)
        self.pages = pages
    }

    func codePage(language: String, csrfToken: String, userCode: String, message: String?) -> String {
        let text = PageText.texts(for: language)
        var values: [String: Any] = ["text": text, "csrfToken": csrfToken, "userCode": userCode]
        if let message { values["message"] = message }
        return pages.page(language: language, title: text["device_title"] ?? "", content: code.render(values))
    }

    func donePage(language: String, approved: Bool) -> String {
        let text = PageText.texts(for: language)
        let title = text[approved ? "device_approved_title" : "device_denied_title"] ?? ""
        let values: [String: Any] = ["title": title, "lead": text[approved ? "device_approved_lead" : "device_denied_lead"] ?? ""]
        return pages.page(language: language, title: title, content: done.render(values))
    }
}
