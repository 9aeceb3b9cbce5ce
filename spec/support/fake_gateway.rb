# frozen_string_literal: true

require "json"
require "securerandom"
require "digest"
require "zlib"
require "rack"
require "rack/multipart"
require "puma"
require "puma/server"
require "puma/events"
require "puma/log_writer"

# A stand-in for the go-whatsapp-web-multidevice gateway on 127.0.0.1, following
# /work/shared/docs/gateway-contract.md. Only the WhatsApp network is faked: the HTTP
# layer is a real Puma server with keep-alive, so the client is exercised end to end.
# Free of RSpec so request specs, the bench and bin/demo can all use it.
class FakeGateway
  # One recorded request. `files` holds UploadedFile entries; `connection` is the
  # client's source port, so distinct values count TCP connections.
  Request = Struct.new(:method, :path, :headers, :query, :json, :fields, :files, :body, :connection,
                       keyword_init: true)
  # `bytes` is nil for uploads above RECORD_BYTES_LIMIT (size and sha256 always set).
  UploadedFile = Struct.new(:name, :filename, :content_type, :size, :sha256, :bytes, keyword_init: true)

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
  PHONE = /\A\+?[1-9]\d{4,}\z/
  JID = /\A[\w.:-]+@(s\.whatsapp\.net|g\.us|lid|newsletter)\z/

  attr_reader :username, :password, :base_path, :devices
  attr_accessor :mode, :latency, :logged_in, :not_on_whatsapp

  def self.start(**options)
    new(**options).start
  end

  def initialize(username: "gowa", password: "fake-#{SecureRandom.hex(6)}", latency: 0, base_path: "",
                 logged_in: true)
    @username = username
    @password = password
    @latency = latency
    @base_path = base_path.chomp("/")
    @logged_in = logged_in
    @mode = nil
    @failures = []
    @requests = []
    @media = {}
    @not_on_whatsapp = []
    @devices = [{ id: "org_1", jid: "6281100000001@s.whatsapp.net", state: "logged_in", display_name: "Fake" }]
    @lock = Mutex.new
    @released = ConditionVariable.new
    @stopping = false
  end

  def start
    log_writer = Puma::LogWriter.null
    @server = Puma::Server.new(method(:call), Puma::Events.new,
                               min_threads: 0, max_threads: 32, log_writer: log_writer,
                               persistent_timeout: 60, environment: "test")
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

  def port = @port
  def url = "http://127.0.0.1:#{@port}#{@base_path}"

  # Makes the next `count` requests fail in `kind` (see FAILURE_MODES).
  def fail_next(kind, count: 1)
    raise ArgumentError, "unknown failure #{kind.inspect}" unless FAILURE_MODES.include?(kind)

    @lock.synchronize { count.times { @failures << kind } }
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

    device_error = check_device(req)
    return device_error if device_error

    dispatch(env["REQUEST_METHOD"], path, req)
  end

  def dispatch(verb, path, req)
    case [verb, path]
    in ["GET", "/app/login"] then app_login
    in ["GET", "/app/login-with-code"] then app_login_with_code(req)
    in ["GET", "/app/status"]
      success("Connection status", is_connected: @logged_in, is_logged_in: @logged_in, device_id: @devices.first[:jid])
    in ["GET", "/app/logout"] then logged_in_only { logout }
    in ["GET", "/app/reconnect"] then success("Reconnect success")
    in ["GET", "/app/devices"] then success("Fetch device success", @devices.map { |d| { name: d[:display_name], device: d[:jid] } })
    in ["GET", "/devices"] then success("Fetch device success", @devices)
    in ["POST", %r{\A/send/(image|file|video|audio|sticker)\z}] then send_media(Regexp.last_match(1), req)
    in ["POST", %r{\A/send/(message|contact|location|chat-presence)\z}] then send_json(Regexp.last_match(1), req)
    in ["POST", %r{\A/message/([^/]+)/(read|reaction|revoke|update)\z}]
      message_action(Regexp.last_match(1), Regexp.last_match(2), req)
    in ["GET", %r{\A/user/(info|avatar|check)\z}] then user(Regexp.last_match(1), req)
    in ["GET", "/group/info"] then group_info(req)
    else not_found
    end
  end

  def logout
    @logged_in = false
    success("Success logout")
  end

  def app_login
    return error(400, "ALREADY_LOGGED_IN", "you are already logged in.") if @logged_in

    name = "scan-qr-#{SecureRandom.uuid}.png"
    @lock.synchronize { @media["../qrcode/#{name}"] = FakeGateway.png }
    success("Login success", qr_link: "#{url}/statics/qrcode/#{name}", qr_duration: 30,
                             device_id: @devices.first[:id])
  end

  def app_login_with_code(req)
    return error(400, "ALREADY_LOGGED_IN", "you are already logged in.") if @logged_in

    phone = req.query["phone"].to_s
    return error(400, "VALIDATION_ERROR", "phone: cannot be blank.") if phone.empty?

    success("Login with code success", pair_code: "#{random_letters(4)}-#{random_letters(4)}")
  end

  def send_media(kind, req)
    logged_in_only do
      params = req.json || req.fields
      bad = validate_phone(params["phone"])
      next bad if bad

      file = req.files.find { |f| f.name == kind }
      url = params["#{kind}_url"]
      next error(400, "VALIDATION_ERROR", "#{kind}: cannot be blank.") if file.nil? && url.to_s.empty?

      problem = file && media_problem(kind, file)
      next problem if problem

      sent(params["phone"])
    end
  end

  def media_problem(kind, file)
    rule = MEDIA_RULES.fetch(kind)
    if rule[:types] && !rule[:types].include?(file.content_type.to_s.split(";").first.to_s.strip.downcase)
      return error(400, "VALIDATION_ERROR", "your #{kind} is not allowed. please use #{rule[:types].join('/')}")
    end
    if file.size > rule[:limit]
      return error(400, "VALIDATION_ERROR", "maximum file size is #{rule[:limit] / MB}MB. current file size is " \
                                            "#{(file.size.to_f / MB).round(2)}MB")
    end
    nil
  end

  def send_json(kind, req)
    logged_in_only do
      body = req.json || {}
      bad = validate_phone(body["phone"])
      next bad if bad

      missing = { "message" => %w[message], "contact" => %w[contact_name contact_phone],
                  "location" => %w[latitude longitude], "chat-presence" => %w[action] }
                .fetch(kind).find { |k| body[k].to_s.empty? }
      next error(400, "VALIDATION_ERROR", "#{missing}: cannot be blank.") if missing
      next success("Send presence #{body['action']} success", {}) if kind == "chat-presence"

      sent(body["phone"])
    end
  end

  def message_action(id, action, req)
    logged_in_only do
      body = req.json || {}
      bad = validate_phone(body["phone"])
      next bad if bad
      next error(400, "VALIDATION_ERROR", "message: cannot be blank.") if action == "update" && body["message"].to_s.empty?

      success("#{action} success", message_id: action == "read" ? id : new_message_id, status: "#{action} #{id}")
    end
  end

  def user(kind, req)
    logged_in_only do
      phone = req.query["phone"]
      bad = validate_phone(phone)
      next bad if bad
      next success("Success check user", is_on_whatsapp: !@not_on_whatsapp.include?(phone)) if kind == "check"
      next error(400, "INVALID_JID", "phone #{phone} is not on whatsapp") if @not_on_whatsapp.include?(phone)
      next success("Success get avatar", url: add_media("avatar-#{phone}.jpg", FakeGateway.png), id: "1", type: "image") if kind == "avatar"

      success("Success get user info", verified_name: "", status: "Hey there", picture_id: "1",
                                       devices: [{ User: phone, Device: 0 }], name: "Contact #{phone}")
    end
  end

  def group_info(req)
    logged_in_only do
      id = req.query["group_id"].to_s
      next error(400, "VALIDATION_ERROR", "group_id: cannot be blank.") if id.empty?

      success("Success get group info", JID: id, Name: "Fake group", Participants: [{ JID: @devices.first[:jid] }])
    end
  end

  def static(path)
    name = path.delete_prefix("/statics/media/")
    name = "../qrcode/#{path.delete_prefix('/statics/qrcode/')}" if path.start_with?("/statics/qrcode/")
    bytes = @lock.synchronize { @media[name] }
    return [404, { "content-type" => "text/plain" }, ["404 Not Found"]] unless bytes

    type = Rack::Mime.mime_type(File.extname(name), "application/octet-stream")
    [200, { "content-type" => type, "content-length" => bytes.bytesize.to_s }, [bytes]]
  end

  def failure(kind, env)
    case kind
    when :refuse
      env["rack.hijack"].call.close
      [-1, {}, []]
    when :hang then hang
    when :unauthorized then unauthorized
    when :not_logged_in then not_logged_in
    when :rate_limited then error(429, "WA_REACHOUT_TIMELOCK", "reachout timelock: wait before messaging new contacts")
    when :server_error then error(500, "INTERNAL_SERVER_ERROR", "something went wrong in the gateway")
    when :malformed_json then [200, { "content-type" => "application/json" }, ['{"code":"SUCCESS","results":{']]
    end
  end

  def hang
    @lock.synchronize { @released.wait(@lock, 120) unless @stopping }
    error(504, "GATEWAY_TIMEOUT", "request timed out")
  end

  def logged_in_only
    @logged_in ? yield : not_logged_in
  end

  def not_logged_in
    error(401, "AUTHENTICATION_ERROR", "you are not logged in, please login first")
  end

  def sent(phone)
    success("Message sent to #{phone} (server timestamp: #{Time.now.utc.iso8601})", message_id: new_message_id,
                                                                                  status: "success")
  end

  def validate_phone(phone)
    phone = phone.to_s
    return error(400, "VALIDATION_ERROR", "phone: cannot be blank.") if phone.empty?
    return nil if phone.match?(PHONE) || phone.match?(JID)

    error(400, "INVALID_JID", "invalid phone number #{phone}")
  end

  def check_device(req)
    wanted = req.headers["x-device-id"] || req.query["device_id"]
    return nil if wanted.nil? || @devices.any? { |d| [d[:id], d[:jid]].include?(wanted) }

    error(404, "DEVICE_NOT_FOUND", "device #{wanted} not found")
  end

  def authorized?(env)
    header = env["HTTP_AUTHORIZATION"].to_s
    return false unless header.start_with?("Basic ")

    user, pass = header.delete_prefix("Basic ").unpack1("m").split(":", 2)
    Rack::Utils.secure_compare(user.to_s, @username) & Rack::Utils.secure_compare(pass.to_s, @password)
  end

  def unauthorized
    [401, { "content-type" => "text/plain; charset=utf-8", "www-authenticate" => 'Basic realm="Restricted"' },
     ["Unauthorized"]]
  end

  def success(message, results = nil)
    body = { code: "SUCCESS", message: message }
    body[:results] = results unless results.nil?
    json(200, body)
  end

  def error(status, code, message) = json(status, { code: code, message: message })
  def not_found = error(404, "NOT_FOUND", "route not found")

  def json(status, body)
    [status, { "content-type" => "application/json" }, [JSON.generate(body)]]
  end

  def new_message_id = "3EB0#{SecureRandom.hex(8).upcase}"
  def random_letters(count) = Array.new(count) { ("A".."Z").to_a.sample }.join

  def record_request(env)
    headers = env.each_with_object({}) do |(k, v), h|
      h[k.delete_prefix("HTTP_").downcase.tr("_", "-")] = v if k.start_with?("HTTP_")
    end
    headers["content-type"] = env["CONTENT_TYPE"] if env["CONTENT_TYPE"]
    req = Request.new(method: env["REQUEST_METHOD"], path: env["PATH_INFO"], headers: headers,
                      query: Rack::Utils.parse_query(env["QUERY_STRING"].to_s), fields: {}, files: [],
                      connection: connection_id(env))
    read_body(env, req)
    @lock.synchronize { @requests << req }
    req
  end

  def connection_id(env)
    socket = env["puma.socket"]
    socket.respond_to?(:remote_address) ? socket.remote_address.ip_port : nil
  rescue StandardError
    nil
  end

  def read_body(env, req)
    type = env["CONTENT_TYPE"].to_s
    if type.start_with?("multipart/form-data")
      parse_multipart(env, req)
    else
      req.body = env["rack.input"]&.read.to_s
      req.json = parse_json(req.body) if type.include?("json")
    end
  end

  def parse_json(body)
    JSON.parse(body)
  rescue JSON::ParserError
    nil
  end

  def parse_multipart(env, req)
    params = Rack::Multipart.parse_multipart(env) || {}
    params.each do |name, value|
      if value.is_a?(Hash) && value[:tempfile]
        req.files << uploaded(name, value)
      else
        req.fields[name] = value
      end
    end
  end

  def uploaded(name, part)
    file = part[:tempfile]
    file.rewind
    digest = Digest::SHA256.new
    size = 0
    kept = +"".b
    while (chunk = file.read(64 * 1024))
      digest << chunk
      size += chunk.bytesize
      kept << chunk if size <= RECORD_BYTES_LIMIT
    end
    file.close!
    UploadedFile.new(name: name, filename: part[:filename], content_type: part[:type], size: size,
                     sha256: digest.hexdigest, bytes: size <= RECORD_BYTES_LIMIT ? kept : nil)
  end

  # A real 16x16 PNG (a checkerboard), built here so the fake needs no fixture file.
  def self.png
    @png ||= begin
      rows = Array.new(16) { |y| "\x00".b + Array.new(16) { |x| ((x / 4) + (y / 4)).even? ? "\x00" : "\xFF" }.join.b }
      chunk = lambda do |type, data|
        [data.bytesize].pack("N") + type + data + [Zlib.crc32(type + data)].pack("N")
      end
      "\x89PNG\r\n\x1A\n".b + chunk.call("IHDR", [16, 16, 8, 0, 0, 0, 0].pack("NNCCCCC")) +
        chunk.call("IDAT", Zlib::Deflate.deflate(rows.join)) + chunk.call("IEND", "")
    end.freeze
  end
end
