# frozen_string_literal: true

class FakeGateway
  # Success and error envelopes, the plain-text 401, the failure modes of #fail_next and the
  # upload checks (MIME type from the part's own Content-Type, size caps).
  module Responses
    private

    def failure(kind, env)
      case kind
      when :refuse
        env["rack.hijack"].call.close
        [-1, {}, []]
      when :hang then hang
      else send(kind)
      end
    end

    def rate_limited = error(429, "WA_REACHOUT_TIMELOCK", "reachout timelock: wait before messaging new contacts")
    def server_error = error(500, "INTERNAL_SERVER_ERROR", "something went wrong in the gateway")
    def malformed_json = [200, { "content-type" => "application/json" }, ['{"code":"SUCCESS","results":{']]

    def hang
      @lock.synchronize { @released.wait(@lock, 120) unless @stopping }
      error(504, "GATEWAY_TIMEOUT", "request timed out")
    end

    def logged_in_only
      current_logged_in? ? yield : not_logged_in
    end

    # The device this request selected (X-Device-Id), logged in?
    def current_logged_in?
      found = Thread.current[:fake_gateway_device] || @devices.first
      @lock.synchronize { logged_in_for?(found) }
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

    def check_device(req, path = "")
      return nil if devices_route?(path) # /devices/:id names its device in the path

      wanted = req.headers["x-device-id"] || req.query["device_id"]
      if wanted.nil?
        several = @lock.synchronize { @devices.size } > 1
        return several ? error(400, "DEVICE_ID_REQUIRED", "device id is required: several devices are registered") : nil
      end
      return nil if @lock.synchronize { @devices.any? { |d| [d[:id], d[:jid]].include?(wanted) } }

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

    # Like Go's net/http, every JSON answer carries a Date header.
    def json(status, body)
      date = (Time.now + @clock_offset.to_f).httpdate
      [status, { "content-type" => "application/json", "date" => date }, [JSON.generate(body)]]
    end

    # Random (not SecureRandom): ids need only be unique, and SecureRandom costs a syscall each.
    def new_message_id = "3EB0#{Random.bytes(8).unpack1('H*').upcase}"
    def random_letters(count) = Array.new(count) { ("A".."Z").to_a.sample }.join

    def media_problem(kind, file, url)
      return url.to_s.empty? ? error(400, "VALIDATION_ERROR", "#{kind}: cannot be blank.") : nil if file.nil?

      rule = MEDIA_RULES.fetch(kind)
      if rule[:types] && !rule[:types].include?(file.content_type.to_s.split(";").first.to_s.strip.downcase)
        return error(400, "VALIDATION_ERROR", "your #{kind} is not allowed. please use #{rule[:types].join('/')}")
      end
      return nil if file.size <= rule[:limit]

      error(400, "VALIDATION_ERROR", "maximum file size is #{rule[:limit] / MB}MB. current file size is " \
                                     "#{(file.size.to_f / MB).round(2)}MB")
    end
  end
end
