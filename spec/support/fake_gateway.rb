# frozen_string_literal: true

require "json"
require "time"
require "securerandom"
require "digest"
require "zlib"
require "rack"
require "rack/multipart"
require "puma"
require "puma/server"
require "puma/events"
require "puma/log_writer"
require_relative "fake_gateway/endpoints"
require_relative "fake_gateway/recording"
require_relative "fake_gateway/responses"
require_relative "fake_gateway/history"
require_relative "fake_gateway/agent_side"
require_relative "fake_gateway/devices"

# A stand-in for the go-whatsapp-web-multidevice gateway on 127.0.0.1, following
# /work/shared/docs/gateway-contract.md. Only the WhatsApp network is faked: the HTTP
# layer is a real Puma server with keep-alive, so the client is exercised end to end.
# Free of RSpec so request specs, the bench and bin/demo can all use it.
class FakeGateway
  include Endpoints
  include Recording
  include Responses
  include History
  include AgentSide
  include Devices
  include DeviceRoutes

  # A plain record class, keyword-initialised, with #to_h.
  class Record
    def self.fields(*names)
      const_set(:FIELDS, names.freeze)
      const_set(:SETTERS, names.to_h { |name| [name, :"#{name}="] }.freeze)
      attr_accessor(*names)
    end

    def initialize(**attrs)
      setters = self.class::SETTERS
      attrs.each { |name, value| public_send(setters.fetch(name) { :"#{name}=" }, value) }
    end

    def to_h = self.class::FIELDS.to_h { |name| [name, public_send(name)] }
  end

  # One recorded request. `files` holds UploadedFile entries; `connection` is the
  # client's source port, so distinct values count TCP connections.
  class Request < Record
    fields :method, :path, :headers, :query, :json, :fields, :files, :body, :connection
  end

  # `bytes` is nil for uploads above RECORD_BYTES_LIMIT (size and sha256 always set).
  class UploadedFile < Record
    fields :name, :filename, :content_type, :size, :sha256, :bytes
  end

  MB = 1024 * 1024
  RECORD_BYTES_LIMIT = 8 * MB
  BODY_LIMIT = 100 * MB
  FAILURE_MODES = %i[refuse hang unauthorized not_logged_in rate_limited server_error malformed_json].freeze
  MEDIA_RULES = {
    "image" => { types: %w[image/jpeg image/png], limit: 20 * MB },
    "video" => { types: %w[video/mp4 video/x-matroska video/avi], limit: 100 * MB },
    "sticker" => { types: %w[image/jpeg image/png image/webp image/gif], limit: 20 * MB },
    "audio" => { types: %w[audio/aac audio/amr audio/flac audio/m4a audio/x-m4a audio/mp4 audio/mpeg audio/ogg
                           audio/wav audio/x-wav], limit: 100 * MB },
    "file" => { types: nil, limit: 50 * MB }
  }.freeze
  ROUTES = [
    ["GET", %r{\A/app/login\z}, :app_login],
    ["GET", %r{\A/app/login-with-code\z}, :app_login_with_code],
    ["GET", %r{\A/app/status\z}, :app_status],
    ["GET", %r{\A/app/logout\z}, :logout],
    ["GET", %r{\A/app/reconnect\z}, :reconnect],
    ["GET", %r{\A/app/devices\z}, :app_devices],
    ["GET", %r{\A/devices\z}, :devices_v8],
    ["POST", %r{\A/devices\z}, :device_add],
    ["GET", %r{\A/devices/([^/]+)\z}, :device_show],
    ["DELETE", %r{\A/devices/([^/]+)\z}, :device_remove],
    ["GET", %r{\A/devices/([^/]+)/status\z}, :device_status],
    ["GET", %r{\A/devices/([^/]+)/login\z}, :device_login],
    ["POST", %r{\A/devices/([^/]+)/logout\z}, :device_logout],
    ["PATCH", %r{\A/devices/([^/]+)/webhook\z}, :device_webhook_update],
    ["GET", %r{\A/devices/([^/]+)/webhook\z}, :device_webhook_show],
    ["POST", %r{\A/send/(image|file|video|audio|sticker)\z}, :send_media],
    ["POST", %r{\A/send/(message|contact|location|chat-presence)\z}, :send_json],
    ["POST", %r{\A/message/([^/]+)/(read|reaction|revoke|update)\z}, :message_action],
    ["GET", %r{\A/message/([^/]+)/download\z}, :download_route],
    ["GET", %r{\A/user/(info|avatar|check)\z}, :user],
    ["GET", %r{\A/group/info\z}, :group_info],
    ["GET", %r{\A/chats\z}, :chats],
    ["GET", %r{\A/chat/([^/]+)/messages\z}, :chat_messages]
  ].freeze
  PHONE = /\A\+?[1-9]\d{4,}\z/
  JID = /\A[\w.:-]+@(s\.whatsapp\.net|g\.us|lid|newsletter)\z/

  attr_reader :username, :password, :base_path, :devices, :port
  attr_accessor :mode, :latency, :logged_in, :not_on_whatsapp
  # The gateway's major version: 7 (no /devices routes), 8 (devices, no per-device webhooks), 9 (default).
  attr_accessor :version
  # Seconds a QR code lives (/app/login's qr_duration); seconds the fake's clock (its Date header) is off by.
  attr_accessor :qr_duration, :clock_offset

  def self.start(**options)
    new(**options).start
  end

  # A real 16x16 PNG (a checkerboard), built here so the fake needs no fixture file.
  def self.png
    @png ||= begin
      rows = Array.new(16) { |y| "\x00".b + Array.new(16) { |x| ((x / 4) + (y / 4)).even? ? "\x00" : "\xFF" }.join.b }
      "\x89PNG\r\n\x1A\n".b + png_chunk("IHDR", [16, 16, 8, 0, 0, 0, 0].pack("NNCCCCC")) +
        png_chunk("IDAT", Zlib::Deflate.deflate(rows.join)) + png_chunk("IEND", "")
    end.freeze
  end

  def self.png_chunk(type, data)
    [data.bytesize].pack("N") + type + data + [Zlib.crc32(type + data)].pack("N")
  end

  def initialize(username: "gowa", password: "fake-#{SecureRandom.hex(6)}", latency: 0, base_path: "", # rubocop:disable Metrics/ParameterLists
                 logged_in: true, version: 9)
    @username = username
    @password = password
    @latency = latency
    @base_path = base_path.chomp("/")
    @logged_in = logged_in
    @mode = nil
    @qr_duration = 30
    @clock_offset = 0
    @failures = []
    @requests = []
    @media = {}
    @not_on_whatsapp = []
    @devices = [{ id: "org_1", jid: "6281100000001@s.whatsapp.net", state: "logged_in", display_name: "Fake" }]
    @version = version
    @device_webhooks = {} # device id -> its webhook config (v9)
    @device_logins = {} # device id -> logged in (every device but the first, whose state is @logged_in)
    @webhook_urls = []
    @webhook_secret = "secret"
    @ports = ObjectSpace::WeakMap.new # puma.socket -> client port
    @lock = Mutex.new
    @released = ConditionVariable.new
    @stopping = false
  end

  def start
    rack_env = ENV.fetch("RACK_ENV", nil) # Puma::Server.new sets it; a Rails host must not see that
    @server = Puma::Server.new(method(:call), Puma::Events.new,
                               min_threads: 0, max_threads: 32, log_writer: Puma::LogWriter.null,
                               persistent_timeout: 60, environment: "test")
    ENV["RACK_ENV"] = rack_env
    @server.add_tcp_listener("127.0.0.1", 0)
    @port = @server.connected_ports.first
    @server.run
    self
  end

  def stop
    @lock.synchronize do
      @stopping = true
      @released.broadcast
    end
    @server&.stop(true)
    @server = nil
  end

  def url = "http://127.0.0.1:#{@port}#{@base_path}"

  # Makes the next `count` requests fail in `kind` (see FAILURE_MODES); with `after:`, only
  # once that many requests went through (after: 1 fails the second part of a reply).
  def fail_next(kind, count: 1, after: 0)
    raise ArgumentError, "unknown failure #{kind.inspect}" unless FAILURE_MODES.include?(kind)

    @lock.synchronize do
      after.times { @failures << nil } # a nil turn answers normally (or in `mode`)
      count.times { @failures << kind }
    end
    self
  end

  # Wakes requests held by :hang (they then answer 504).
  def release_hung
    @lock.synchronize { @released.broadcast }
  end

  # Registers a file served without auth under /statics/media/<name>; returns its URL.
  def add_media(name, bytes)
    @lock.synchronize { @media[name] = bytes.b }
    "#{url}/statics/media/#{name}"
  end

  def requests = @lock.synchronize { @requests.dup }
  def last_request = @lock.synchronize { @requests.last }
  def clear_requests = @lock.synchronize { @requests.clear }
  def connection_count = requests.map(&:connection).compact.uniq.size

  # Rack entry point.
  def call(env)
    kind = @lock.synchronize { @failures.shift } || @mode
    record = record_request(env)
    sleep(@latency) if @latency.to_f.positive?
    return failure(kind, env) if kind

    route(env, record)
  rescue StandardError => e
    error(500, "INTERNAL_SERVER_ERROR", "fake gateway bug: #{e.class}: #{e.message}")
  end

  private

  def route(env, req)
    path = req.path
    return not_found unless path.start_with?(@base_path)

    path = path.delete_prefix(@base_path)
    return static(path) if path.start_with?("/statics/")
    return unauthorized unless authorized?(env)

    return not_found if @version < 8 && devices_route?(path)

    device_error = check_device(req, path)
    return device_error if device_error

    Thread.current[:fake_gateway_device] = selected_device(req)
    dispatch(env["REQUEST_METHOD"], path, req)
  end

  def dispatch(verb, path, req)
    ROUTES.each do |route_verb, pattern, handler|
      match = route_verb == verb && pattern.match(path)
      return send(handler, req, *match.captures) if match
    end
    not_found
  end
end
