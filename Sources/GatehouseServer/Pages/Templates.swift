/// The page templates, self-contained: inline CSS, no script, no external asset, so the strict
/// Content-Security-Policy of ``HTMLPage`` holds and nothing can be injected from elsewhere.
enum Templates {
    static let layout = """
        <!doctype html>
        <html lang="{{language}}">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · Gatehouse</title>
        <style>
        :root { color-scheme: light dark; --accent: #2f5bd3; --muted: #667085; --border: #d0d5dd; --bg: #f5f7fb; --card: #fff; --text: #101828; }
        @media (prefers-color-scheme: dark) { :root { --bg: #0f1320; --card: #171c2c; --text: #e6e9f2; --border: #2e3650; --muted: #98a2b3; --accent: #7c9cff; } }
        * { box-sizing: border-box; }
        body { margin: 0; min-height: 100vh; display: flex; align-items: center; justify-content: center; background: var(--bg); color: var(--text);
               font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans JP", sans-serif; padding: 16px; }
        main { width: 100%; max-width: 420px; background: var(--card); border: 1px solid var(--border); border-radius: 14px; padding: 28px; box-shadow: 0 8px 24px rgba(16,24,40,.08); }
        .brand { font-weight: 700; letter-spacing: .02em; color: var(--accent); margin: 0 0 16px; }
        h1 { font-size: 1.45rem; margin: 0 0 8px; }
        p { margin: 0 0 16px; }
        .muted { color: var(--muted); }
        label { display: block; font-weight: 600; margin: 12px 0 6px; }
        input[type=text], input[type=password] { width: 100%; font: inherit; padding: 10px 12px; border: 1px solid var(--border); border-radius: 8px; background: transparent; color: inherit; }
        input:focus, button:focus { outline: 3px solid color-mix(in srgb, var(--accent) 45%, transparent); outline-offset: 1px; }
        .actions { display: flex; gap: 12px; margin-top: 20px; flex-wrap: wrap; }
        button { flex: 1; font: inherit; font-weight: 600; padding: 11px 16px; border-radius: 8px; border: 1px solid var(--accent); cursor: pointer; min-width: 120px; }
        button.primary { background: var(--accent); color: #fff; }
        button.secondary { background: transparent; color: var(--accent); }
        .alert { border: 1px solid #f04438; background: color-mix(in srgb, #f04438 10%, transparent); border-radius: 8px; padding: 10px 12px; margin: 0 0 12px; }
        ul.scopes { list-style: none; padding: 0; margin: 0 0 8px; }
        ul.scopes li { padding: 10px 0; border-top: 1px solid var(--border); }
        ul.scopes code { font-size: .85em; color: var(--muted); }
        code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
        pre { white-space: pre-wrap; word-break: break-all; background: var(--bg); border: 1px solid var(--border); border-radius: 8px; padding: 12px; font-size: .85rem; }
        a { color: var(--accent); }
        </style>
        </head>
        <body><main>
        <p class="brand">Gatehouse</p>
        {{{content}}}
        </main></body>
        </html>
        """

    static let login = """
        <h1>{{text.sign_in_title}}</h1>
        <p class="muted">{{text.sign_in_lead}} <strong>{{clientName}}</strong></p>
        {{#message}}<p class="alert" role="alert">{{message}}</p>{{/message}}
        <form method="post">
        <input type="hidden" name="csrf_token" value="{{csrfToken}}">
        {{#userCode}}<input type="hidden" name="user_code" value="{{userCode}}">{{/userCode}}
        <label for="username">{{text.username}}</label>
        <input type="text" id="username" name="username" value="{{username}}" autocomplete="username" autocapitalize="none" required autofocus>
        <label for="password">{{text.password}}</label>
        <input type="password" id="password" name="password" autocomplete="current-password" required>
        <div class="actions"><button type="submit" class="primary">{{text.sign_in}}</button></div>
        </form>
        """

    static let consent = """
        <h1>{{text.consent_title}}</h1>
        <p><strong>{{clientName}}</strong> {{text.consent_lead}}</p>
        <ul class="scopes">
        {{#scopes}}<li>{{description}} <code>{{name}}</code></li>{{/scopes}}
        </ul>
        <p class="muted">{{text.signed_in_as}} <strong>{{username}}</strong></p>
        {{#userCode}}<p class="muted">{{text.device_code_check}} <strong>{{userCode}}</strong></p>{{/userCode}}
        <form method="post">
        <input type="hidden" name="csrf_token" value="{{csrfToken}}">
        {{#userCode}}<input type="hidden" name="user_code" value="{{userCode}}">{{/userCode}}
        <div class="actions">
        <button type="submit" name="decision" value="allow" class="primary">{{text.allow}}</button>
        <button type="submit" name="decision" value="deny" class="secondary">{{text.deny}}</button>
        </div>
        </form>
        """

    static let error = """
        <h1>{{title}}</h1>
        <p>{{lead}}</p>
        <p class="alert" role="alert"><code>{{code}}</code>: {{description}}</p>
        """
}
