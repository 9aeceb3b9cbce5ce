# frozen_string_literal: true

require_relative "operators_helper"

# The page operators add as a Chatwoot Dashboard App. Its whole flow (the dashboard's
# appContext, the viewer's session, the status API, the connection page opened from it) runs
# in real Chatwoot's dashboard in rake compat:chatwoot (WAWEB_COMPAT_DASHBOARD=1); the test
# host has neither the dashboard nor its session cookie. Here: what the server sends.
RSpec.describe "WhatsApp Web Dashboard App page (HTTP)", :operators do
  let(:account) { create_account }
  let(:admin) { create_member(account) }
  let(:strings) { WawebNative::Operators::DashboardAppPage.strings }
  let(:dir) { WawebNative::Operators::DashboardAppPage::DIR }

  def page_in(accept_language)
    get "/whatsapp_web/dashboard_app", nil, accept_language ? { "HTTP_ACCEPT_LANGUAGE" => accept_language } : {}
    expect(last_response.status).to eq(200)
    last_response.body
  end

  # The page's script config (a JSON <script>): its words first, and every language's (it
  # switches to the viewer's Chatwoot language once it knows it).
  def script_config(body)
    JSON.parse(body[%r{<script type="application/json" id="waweb-config">(.*?)</script>}m, 1])
  end

  def script_strings(body) = script_config(body).fetch("strings")

  # The document without its scripts: what the viewer reads before the script runs.
  def markup(body) = body.gsub(%r{<script\b.*?</script>}m, "")

  # What one language says and the other does not ("WhatsApp Web" is the same in both), as
  # the page would hold it in its HTML or in its script's JSON.
  def only_in(locale, other)
    words = strings.fetch(locale).except("lang").values - strings.fetch(other).values
    words.flat_map { |text| [text, ERB::Util.html_escape(text)] }.uniq
  end

  it "is one static page per language, framed only by Chatwoot's own origin, never cached" do
    get "/whatsapp_web/dashboard_app"
    expect(last_response.status).to eq(200)
    expect(last_response.headers["content-type"]).to start_with("text/html")
    expect(last_response.headers).to include("cache-control" => "no-store", "referrer-policy" => "no-referrer",
                                             "x-frame-options" => "SAMEORIGIN",
                                             "content-security-policy" => "frame-ancestors 'self'",
                                             "vary" => "Accept-Language")
    expect(last_response.body).not_to match(/<(script|link|iframe|img)[^>]+(src|href)=/) # nothing else to fetch
    anonymous = last_response.body

    # A viewer's token changes nothing: the page never carries one; its script asks the API.
    get "/whatsapp_web/dashboard_app?token=#{token_of(admin)}", nil, api_headers(admin)
    expect(last_response.body).to eq(anonymous)
    expect(anonymous).not_to include(token_of(admin))
    expect(script_config(anonymous)).to eq("strings" => strings.fetch("en"), "languages" => strings) # words only

    get "/whatsapp_web/dashboard_app?token=#{token_of(admin)}", nil,
        api_headers(admin).merge("HTTP_ACCEPT_LANGUAGE" => "pt-BR")
    expect(last_response.headers).to include("vary" => "Accept-Language", "cache-control" => "no-store",
                                             "content-security-policy" => "frame-ancestors 'self'")
    expect(last_response.body).not_to include(token_of(admin))
  end

  it "speaks Brazilian Portuguese to a pt browser, in the page and in its script" do
    body = page_in("pt-BR,pt;q=0.9,en;q=0.8")
    expect(markup(body)).to include("<html lang=\"pt-BR\">", "<title>WhatsApp Web</title>",
                                    "Verificando a caixa de entrada desta conversa…", "Abrir a página de conexão")
    expect(script_strings(body)).to include(
      "logged_out" => "Desconectado: abra a página de conexão para escanear o QR code.",
      "forbidden" => "Somente administradores desta conta podem gerenciar a conexão do WhatsApp Web.",
      "no_session" => "Entre no Chatwoot neste navegador para ver a conexão do WhatsApp Web."
    )
    expect(script_strings(body)).to eq(strings.fetch("pt-BR"))
    only_in("en", "pt-BR").each { |english| expect(markup(body)).not_to include(english) }

    expect(page_in("pt")).to include("<html lang=\"pt-BR\">")
    expect(page_in("fr;q=1,pt-PT;q=0.5")).to include("<html lang=\"pt-BR\">") # the best language we speak
  end

  it "speaks English to an English, unknown or silent browser" do
    ["en-US,en;q=0.9", "en-US,pt;q=0.8", "fr-FR,de;q=0.8", "", nil].each do |accept_language|
      body = page_in(accept_language)
      expect(markup(body)).to include("<html lang=\"en\">", "Checking this conversation&#39;s inbox…",
                                      "Open the connection page")
      expect(script_strings(body)).to eq(strings.fetch("en")), "Accept-Language #{accept_language.inspect}"
      only_in("pt-BR", "en").each { |portuguese| expect(markup(body)).not_to include(portuguese) }
    end
  end

  it "has the same words in every language, and every word the page and its script use" do
    expect(strings.keys).to eq(%w[en pt-BR])
    expect(strings.fetch("pt-BR").keys).to match_array(strings.fetch("en").keys)
    expect(strings.values.flat_map(&:values)).to all(be_a(String).and(satisfy { |s| !s.strip.empty? }))
    # Placeholders match, so formatting never leaves a "%{...}" or drops a value.
    strings.fetch("en").each do |key, english|
      expect(strings.fetch("pt-BR")[key].scan(/%\{\w+\}/).sort).to eq(english.scan(/%\{\w+\}/).sort), key
    end

    used = File.read(File.join(dir, "page.js")).scan(/\bt\.(\w+)/).flatten |
           File.read(File.join(dir, "page.html.erb")).scan(/\bt\["(\w+)"\]/).flatten
    expect(used - strings.fetch("en").keys).to be_empty
  end

  # No sentence typed into the script: two words side by side in a string literal are text
  # the viewer would read in English whatever their language.
  it "keeps every visible word out of the script" do
    literals = File.read(File.join(dir, "page.js")).gsub(%r{^\s*//.*$}, "").scan(/"((?:[^"\\]|\\.)*)"/).flatten
    expect(literals).to include("use strict", "chatwoot-dashboard-app:fetch-info")
    expect((literals - ["use strict"]).grep(/[[:alpha:]]{2,} +[[:alpha:]]{2,}/)).to eq([])
  end

  # The page used to be a page.html, which the gemspec's file list left out of the gem.
  it "ships every file it is rendered from in the gem" do
    root = File.expand_path("../..", __dir__)
    files = Dir.chdir(root) { Gem::Specification.load("waweb_native.gemspec").files }
    sources = Dir[File.join(dir, "*")].map { |path| path.delete_prefix("#{root}/") }
    expect(sources).to include("lib/waweb_native/dashboard_app/page.html.erb",
                               "lib/waweb_native/dashboard_app/i18n.yml")
    expect(files).to include(*sources, "lib/waweb_native/operators_page/common.js")
  end

  it "renders each language once and keeps it" do
    page = WawebNative::Operators::DashboardAppPage
    expect(page.html("pt-BR")).to equal(page.html("pt-BR"))
    expect(page.html("xx")).to equal(page.html("en")) # not ours: the default, not a new entry
    expect(page.html("pt-BR")).to be_frozen
  end
end
