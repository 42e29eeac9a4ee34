import Foundation
import GatehouseCore
import GatehouseDocs
import Hummingbird
import Mustache

/// `GET /docs/errors`: one anchor per error code, so that every `error_uri` lands on what the code
/// means and what a client should do. Generated from the error catalog, like every error answer.
struct ErrorDocsController: Sendable {
    let pages: HTMLPages
    private let template: MustacheTemplate

    init(pages: HTMLPages) throws {
        self.pages = pages
        self.template = try MustacheTemplate(
            html: """
                <h1>Error codes</h1>
                <p class="muted">Every error answer carries <code>error</code>, <code>error_description</code> and an <code>error_uri</code> pointing here.</p>
                {{#entries}}
                <section id="{{code}}">
                <h2><a href="#{{code}}"><code>{{code}}</code></a> <span class="muted">HTTP {{status}}</span></h2>
                <p>{{meaning}}</p>
                <p><strong>What to do:</strong> {{advice}}</p>
                <ul>{{#endpoints}}<li><code>{{.}}</code></li>{{/endpoints}}</ul>
                <p class="muted">{{description}}</p>
                <p class="muted">{{reference}}</p>
                </section>
                {{/entries}}
                """
        )
    }

    func page(_ request: Request, context: some RequestContext) -> Response {
        let language = pages.language(uiLocales: nil, acceptLanguage: request.headers[.acceptLanguage])
        let entries: [[String: Any]] = ErrorCatalog.entries.map { entry in
            // Which endpoints answer this code, and with which status.
            let endpoints = EndpointErrors.all.flatMap { endpoint in
                endpoint.rows.filter { $0.code == entry.code }.map { "\(endpoint.method) \(endpoint.path) → \($0.status.code)" }
            }
            return [
                "code": entry.code.rawValue, "status": String(entry.status.code), "meaning": entry.meaning, "advice": entry.advice,
                "description": entry.message.text(in: language), "reference": entry.reference,
                "endpoints": Array(NSOrderedSet(array: endpoints).compactMap { $0 as? String }),
            ]
        }
        let html = pages.page(language: language, title: "Error codes", content: template.render(["entries": entries]))
        return HTMLPages.response(html, language: language)
    }
}
