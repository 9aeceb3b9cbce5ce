# frozen_string_literal: true

require "json"
require "net/http"
require "socket"
require "tmpdir"
require "fileutils"
require "base64"

# Debian's headless Chromium driven through chromedriver's W3C WebDriver HTTP API: a few
# plain HTTP calls, so no browser gem or node toolchain is needed. bin/setup installs
# the chromium and chromium-driver packages.
class WebDriverSession
  CHROMIUM = ENV.fetch("WAWEB_CHROMIUM", "/usr/bin/chromium")
  CHROMEDRIVER = ENV.fetch("WAWEB_CHROMEDRIVER", "/usr/bin/chromedriver")
  ELEMENT_KEY = "element-6066-11e4-a52e-4f735466cecf"

  class Error < StandardError; end

  def self.available?
    File.executable?(CHROMIUM) && File.executable?(CHROMEDRIVER)
  end

  # accept_language: what the browser sends as Accept-Language (e.g. "pt-BR,pt"); nil: its default.
  def self.start(width: 900, height: 1500, accept_language: nil)
    new.tap { |session| session.start(width, height, accept_language) }
  end

  def start(width, height, accept_language = nil)
    @profile = Dir.mktmpdir("waweb-chromium-")
    @log = File.join(@profile, "chromedriver.log")
    start_driver
    args = %W[--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
              --disable-component-update --disable-sync --disable-dev-shm-usage --user-data-dir=#{@profile}/profile
              --window-size=#{width},#{height}]
    options = { binary: CHROMIUM, args: args }
    options[:prefs] = { "intl.accept_languages" => accept_language } if accept_language
    caps = { capabilities: { alwaysMatch: { browserName: "chrome", "goog:chromeOptions" => options } } }
    @session = command(:post, "/session", caps).fetch("sessionId")
    self
  rescue StandardError
    quit
    raise
  end

  def visit(url) = session(:post, "url", { url: url })
  def current_url = session(:get, "url")

  # Runs a function body in the page: `arguments[0]`... are args; returns its value.
  def execute(script, *args) = session(:post, "execute/sync", { script: script, args: args })

  def click(css)
    element = session(:post, "element", { using: "css selector", value: css })
    session(:post, "element/#{element.fetch(ELEMENT_KEY)}/click", {})
  end

  def type(css, text)
    element = session(:post, "element", { using: "css selector", value: css })
    session(:post, "element/#{element.fetch(ELEMENT_KEY)}/value", { text: text })
  end

  def screenshot(path)
    FileUtils.mkdir_p(File.dirname(path))
    File.binwrite(path, Base64.decode64(session(:get, "screenshot")))
    path
  end

  # Polls a JavaScript expression until it is truthy; returns its value.
  def wait_for(expression, timeout: 15, message: nil)
    deadline = Process.clock_gettime(Process::CLOCK_MONOTONIC) + timeout
    loop do
      value = execute("return (#{expression});")
      return value if value
      raise Error, "timed out after #{timeout} s waiting for #{message || expression}" \
        if Process.clock_gettime(Process::CLOCK_MONOTONIC) > deadline

      sleep 0.1
    end
  end

  def quit
    command(:delete, "/session/#{@session}") if @session
  rescue StandardError
    nil
  ensure
    @session = nil
    stop_driver
    FileUtils.rm_rf(@profile) if @profile
  end

  private

  def session(verb, path, body = nil) = command(verb, "/session/#{@session}/#{path}", body)

  def command(verb, path, body = nil)
    http = Net::HTTP.new("127.0.0.1", @port)
    http.read_timeout = 60
    request = { get: Net::HTTP::Get, post: Net::HTTP::Post, delete: Net::HTTP::Delete }.fetch(verb).new(path)
    if body
      request["Content-Type"] = "application/json"
      request.body = JSON.generate(body)
    end
    response = http.request(request)
    value = JSON.parse(response.body)["value"]
    raise Error, "#{verb.upcase} #{path}: #{value.is_a?(Hash) ? value['message'] : value}" unless response.code == "200"

    value
  end

  # On a free port. Another program may take it between the probe and the spawn:
  # chromedriver then exits, and starts again on another port.
  def start_driver
    3.times do
      @port = free_port
      @pid = Process.spawn(CHROMEDRIVER, "--port=#{@port}", "--log-path=#{@log}", out: File::NULL, err: File::NULL)
      return if driver_ready?

      stop_driver
    end
    raise Error, "chromedriver did not start (see #{@log})"
  end

  def driver_ready?
    100.times do
      return true if command(:get, "/status")["ready"]
    rescue Errno::ECONNREFUSED, Errno::ECONNRESET, EOFError
      return false if Process.waitpid(@pid, Process::WNOHANG) # it exited: the port was taken

      sleep 0.1
    end
    false
  end

  def stop_driver
    return unless @pid

    Process.kill("TERM", @pid)
    Process.wait(@pid)
  rescue Errno::ESRCH, Errno::ECHILD
    nil
  ensure
    @pid = nil
  end

  def free_port
    server = TCPServer.new("127.0.0.1", 0)
    server.addr[1]
  ensure
    server&.close
  end
end
