# frozen_string_literal: true

require_relative "operators_helper"
require_relative "support/webdriver"
require_relative "support/dashboard_stand_in"

# The Dashboard App page in Chromium, framed by a stand-in of Chatwoot's dashboard (the
# conversation it posts, its session cookie, /api/v1/profile), asking the test host's
# management API. The same flow runs in real Chatwoot in rake compat:chatwoot
# (WAWEB_COMPAT_DASHBOARD=1). Screenshot: tmp/dashboard_app.png.
RSpec.describe "WhatsApp Web Dashboard App in Chromium", :operators, :truncation do
  let(:gateway) { FakeGateway.start(logged_in: true) }
  let(:account) { create_account }
  let(:admin) { create_member(account) }
  let(:agent) { create_member(account, role: :agent) }
  let(:inbox) { create_gateway_inbox(gateway, account: account) }
  let(:cloud_inbox) { create_whatsapp_inbox(account: account, provider: "whatsapp_cloud") }
  let(:sessions) { { "admin-session" => admin, "agent-session" => agent } }
  let(:screenshot) { File.expand_path("../../tmp/dashboard_app.png", __dir__) }

  after { gateway.stop }

  def frame(expression) = "document.getElementById('app').contentWindow.#{expression}"

  # The app's state once it has settled in the dashboard's frame, and its visible text.
  def open_app(browser, url, as:, inbox_id:)
    browser.visit("#{url}/app/conversation?account=#{account.id}&inbox=#{inbox_id}#{"&as=#{as}" if as}")
    state = browser.wait_for("(function () { try { var s = #{frame('document.body.dataset.state')}; " \
                             "return s && s !== 'loading' && s; } catch (e) { return false; } })()",
                             message: "the app's verdict")
    [state, browser.execute("return #{frame('document.body.innerText')};")]
  end

  # A browser (sending accept_language, or its default) and the stand-in dashboard's URL.
  def in_dashboard(stand_in: DashboardStandIn.new(Rails.application, sessions), accept_language: nil)
    raise "Chromium/chromedriver missing: run bin/setup" unless WebDriverSession.available?

    with_puma_host(app: stand_in) do |url|
      browser = WebDriverSession.start(width: 700, height: 400, accept_language: accept_language)
      begin
        yield browser, url
      ensure
        browser.quit
      end
    end
  end

  it "gives administrators the status and the connection page, and everyone else the API's refusal" do
    in_dashboard do |browser, url|
      expect(open_app(browser, url, as: nil, inbox_id: inbox.id))
        .to eq(["no_session",
                "WhatsApp Web\n\nSign in to Chatwoot in this browser to see the WhatsApp Web connection."])

      state, text = open_app(browser, url, as: "admin-session", inbox_id: inbox.id)
      expect(state).to eq("logged_in")
      expect(text).to include("Connected as 6281100000001@s.whatsapp.net", "Open the connection page")
      browser.screenshot(screenshot)
      # The button opens the connection page in a new tab with the viewer's own token.
      # (the replacement is the dashboard's function: it records on the dashboard's window)
      browser.execute("#{frame('open')} = function (u, target, features) { window.opened = [u, target, features]; };")
      browser.execute("#{frame("document.getElementById('open').click()")};")
      connect = "/whatsapp_web/inboxes/#{inbox.id}/connect?token=#{token_of(admin)}"
      expect(browser.execute("return window.opened;")).to eq([connect, "_blank", "noopener,noreferrer"])

      gateway.logged_in = false
      state, text = open_app(browser, url, as: "admin-session", inbox_id: inbox.id)
      expect([state, text]).to eq(["logged_out", "WhatsApp Web\n\nNot connected: open the connection page to scan " \
                                                 "the QR code.\n\nOpen the connection page"])

      expect(open_app(browser, url, as: "agent-session", inbox_id: inbox.id))
        .to eq(["forbidden", "WhatsApp Web\n\nOnly administrators of this account can manage its WhatsApp Web " \
                             "connection."])

      expect(open_app(browser, url, as: "admin-session", inbox_id: cloud_inbox.id).first).to eq("not_ours")
    end
  end

  # The frame is a plain navigation (as Chatwoot's Frame.vue makes it): it carries the
  # browser's Accept-Language, and the page and what its script writes follow it.
  it "speaks Brazilian Portuguese in a Portuguese browser: the page, its statuses and refusals" do
    stand_in = DashboardStandIn.new(Rails.application, sessions, account_locale: "pt_BR")
    in_dashboard(stand_in: stand_in, accept_language: "pt-BR,pt") do |browser, url|
      expect(open_app(browser, url, as: nil, inbox_id: inbox.id))
        .to eq(["no_session", "WhatsApp Web\n\nEntre no Chatwoot neste navegador para ver a conexão do " \
                              "WhatsApp Web."])
      expect(stand_in.frame_languages.pop).to start_with("pt-BR,pt") # the browser adds its q values
      expect(browser.execute("return #{frame('document.documentElement.lang')};")).to eq("pt-BR")

      expect(open_app(browser, url, as: "admin-session", inbox_id: inbox.id))
        .to eq(["logged_in", "WhatsApp Web\n\nConectado como 6281100000001@s.whatsapp.net\n\n" \
                             "Abrir a página de conexão"])
      browser.screenshot(File.expand_path("../../tmp/dashboard_app_pt_br.png", __dir__))

      gateway.logged_in = false
      expect(open_app(browser, url, as: "admin-session", inbox_id: inbox.id).last)
        .to eq("WhatsApp Web\n\nDesconectado: abra a página de conexão para escanear o QR code.\n\n" \
               "Abrir a página de conexão")
      expect(open_app(browser, url, as: "agent-session", inbox_id: inbox.id))
        .to eq(["forbidden", "WhatsApp Web\n\nSomente administradores desta conta podem gerenciar a conexão " \
                             "do WhatsApp Web."])
      expect(open_app(browser, url, as: "admin-session", inbox_id: cloud_inbox.id))
        .to eq(["not_ours", "WhatsApp Web\n\nA caixa de entrada desta conversa não é do tipo WhatsApp Web."])

      gateway.stop # the status API answers its error; the page says whose it is
      state, text = open_app(browser, url, as: "admin-session", inbox_id: inbox.id)
      expect(state).to eq("gateway_error")
      expect(text).to start_with("WhatsApp Web\n\nO gateway não responde: ").and end_with("Abrir a página de conexão")

      # Opened on its own, not in the dashboard: it says where it belongs.
      browser.visit("#{url}/whatsapp_web/dashboard_app")
      expect(browser.execute("return document.body.innerText;"))
        .to include("Adicione esta página ao Chatwoot como aplicativo")
    end
  end

  # Chatwoot speaks what the viewer chose (ui_settings.locale), else the account's language
  # (App.vue): once the page knows the viewer, it speaks the same when it is one of ours.
  it "follows the viewer's Chatwoot language over the browser's, when it is one of ours" do
    stand_in = DashboardStandIn.new(Rails.application, sessions, ui_locales: { "agent-session" => "pt_BR" })
    in_dashboard(stand_in: stand_in, accept_language: "en-US,en") do |browser, url|
      admin_text = "WhatsApp Web\n\nConnected as 6281100000001@s.whatsapp.net\n\nOpen the connection page"
      expect(open_app(browser, url, as: "admin-session", inbox_id: inbox.id)).to eq(["logged_in", admin_text])
      expect(open_app(browser, url, as: "agent-session", inbox_id: inbox.id))
        .to eq(["forbidden", "WhatsApp Web\n\nSomente administradores desta conta podem gerenciar a conexão " \
                             "do WhatsApp Web."])
      expect(browser.execute("return #{frame('document.documentElement.lang')};")).to eq("pt-BR")

      stand_in.account_locale = "pt_BR" # the admin chose nothing: the account's language
      expect(open_app(browser, url, as: "admin-session", inbox_id: inbox.id))
        .to eq(["logged_in", "WhatsApp Web\n\nConectado como 6281100000001@s.whatsapp.net\n\n" \
                             "Abrir a página de conexão"])

      stand_in.ui_locales["admin-session"] = "es" # not ours: the browser's language stays
      expect(open_app(browser, url, as: "admin-session", inbox_id: inbox.id)).to eq(["logged_in", admin_text])
    end
  end
end
