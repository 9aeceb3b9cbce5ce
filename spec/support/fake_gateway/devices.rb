# frozen_string_literal: true

require "net/http"

class FakeGateway
  # Several WhatsApp accounts ("devices") on one gateway (v8+), their per-device webhooks
  # (v9+) and the webhooks themselves: an event of a device with its own webhook goes only
  # there, signed with its own secret (empty: the global one); a device without one sends
  # to EVERY global URL with the global secret (gateway-contract.md, "Several numbers on
  # one gateway"). `version` 7 has none of these routes, 8 has the device routes but not
  # the webhook ones.
  module Devices
    WEBHOOK_FIELDS = %w[webhook_url webhook_secret webhook_events webhook_insecure_skip_verify].freeze

    # The global WHATSAPP_WEBHOOK URLs and WHATSAPP_WEBHOOK_SECRET.
    attr_accessor :webhook_urls, :webhook_secret

    def device(id_or_jid)
      @lock.synchronize { find_device(id_or_jid) }
    end

    # Adds a device slot (as POST /devices does); logged out until scanned.
    def add_device(id, jid: nil, logged_in: false, display_name: nil)
      @lock.synchronize do
        @devices << { id: id, jid: jid, state: logged_in ? "logged_in" : "disconnected",
                      display_name: display_name.to_s }
        @device_logins[id] = logged_in
      end
      device(id)
    end

    # What WhatsApp does when the device's QR code is scanned by the phone `phone` (digits).
    def scan!(id_or_jid, phone)
      @lock.synchronize do
        found = find_device(id_or_jid) or raise ArgumentError, "no device #{id_or_jid}"
        found[:jid] = "#{phone.to_s.delete('^0-9')}@s.whatsapp.net"
        found[:state] = "logged_in"
        set_logged_in(found, true)
        found
      end
    end

    # The device's webhook config as GET /devices/:id/webhook answers it ({} when none).
    def device_webhook(id)
      @lock.synchronize { (@device_webhooks[find_device(id)&.fetch(:id)] || {}).dup }
    end

    # What PATCH /devices/:id/webhook does (for specs arranging a webhook set by someone else).
    def set_device_webhook(id, url, secret: "", events: "")
      @lock.synchronize do
        @device_webhooks[find_device(id).fetch(:id)] =
          { "webhook_url" => url, "webhook_secret" => secret, "webhook_events" => events,
            "webhook_insecure_skip_verify" => false }
      end
    end

    # Sends one event of the device the way the gateway does; returns [[url, HTTP status], ...].
    # payload: the event's payload Hash. The envelope carries the device's JID and (v9) slot id.
    def deliver_event(id_or_jid, event, payload)
      found = device(id_or_jid) or raise ArgumentError, "no device #{id_or_jid}"
      envelope = { event: event, device_id: found[:jid] }
      envelope[:session_id] = found[:id] if @version >= 9
      envelope[:timestamp] = Time.now.utc.iso8601 unless event == "message"
      envelope[:payload] = payload
      post_webhooks(targets_for(found, event), JSON.generate(envelope))
    end

    # A body as is (a v7 flat message) to every global URL with the global secret.
    def deliver_raw(body)
      post_webhooks(@webhook_urls.map { |url| [url, @webhook_secret] }, body)
    end

    private

    def find_device(id_or_jid)
      @devices.find { |d| d[:id] == id_or_jid || (d[:jid] && d[:jid] == id_or_jid) }
    end

    def default_device?(found) = found.equal?(@devices.first)

    def logged_in_for?(found)
      default_device?(found) ? @logged_in : @device_logins.fetch(found[:id], false)
    end

    def set_logged_in(found, value)
      if default_device?(found)
        @logged_in = value
      else
        @device_logins[found[:id]] = value
      end
    end

    # The device a request selects: X-Device-Id / ?device_id, else the only one.
    def selected_device(req)
      wanted = req.headers["x-device-id"] || req.query["device_id"]
      @lock.synchronize { wanted ? find_device(wanted) : @devices.first }
    end

    def targets_for(found, event)
      hook = @lock.synchronize { @device_webhooks[found[:id]] } || {}
      return @webhook_urls.map { |url| [url, @webhook_secret] } if hook["webhook_url"].to_s.empty?
      return [] unless wanted_event?(hook, event)

      secret = hook["webhook_secret"].to_s
      [[hook["webhook_url"], secret.empty? ? @webhook_secret : secret]]
    end

    # The device's webhook_events allow-list (empty: every event).
    def wanted_event?(hook, event)
      events = hook["webhook_events"].to_s.split(",").map(&:strip).reject(&:empty?)
      events.empty? || events.include?(event)
    end

    def post_webhooks(targets, body)
      targets.map do |url, secret|
        uri = URI(url)
        request = Net::HTTP::Post.new(uri)
        request["Content-Type"] = "application/json"
        request["X-Hub-Signature-256"] = "sha256=#{OpenSSL::HMAC.hexdigest('SHA256', secret, body)}"
        request.body = body
        response = Net::HTTP.start(uri.host, uri.port, open_timeout: 5, read_timeout: 10) { |h| h.request(request) }
        [url, response.code.to_i]
      end
    end
  end

  # The device routes (v8+) and the per-device webhook routes (v9+) of gateway-contract.md.
  module DeviceRoutes
    WEBHOOK_FIELDS = Devices::WEBHOOK_FIELDS

    private

    def devices_route?(path) = path == "/devices" || path.start_with?("/devices/")

    def devices_v8(_req) = success("Fetch device success", @lock.synchronize { @devices.map(&:dup) })

    def device_add(req)
      body = req.json || {}
      id = body["device_id"].to_s
      id = "device_#{SecureRandom.hex(4)}" if id.empty?
      return error(400, "VALIDATION_ERROR", "device #{id} already exists") if device(id)

      add_device(id)
      hook = body.slice(*WEBHOOK_FIELDS).reject { |_, v| v.to_s.empty? }
      @lock.synchronize { @device_webhooks[id] = hook } if @version >= 9 && !hook.empty?
      success("Device added", device(id).merge(hook))
    end

    def device_show(_req, id)
      with_device(id) { |found| success("Device info", found.dup) }
    end

    def device_remove(_req, id)
      with_device(id) do |found|
        @lock.synchronize do
          @devices.delete(found)
          @device_webhooks.delete(found[:id])
          @device_logins.delete(found[:id])
        end
        success("Device removed")
      end
    end

    def device_status(_req, id)
      with_device(id) do |found|
        on = @lock.synchronize { logged_in_for?(found) }
        success("Device status", device_id: found[:id], is_connected: on, is_logged_in: on)
      end
    end

    def device_login(_req, id)
      with_device(id) { |found| qr_for(found) }
    end

    def device_logout(_req, id)
      with_device(id) do |found|
        @lock.synchronize { set_logged_in(found, false) }
        success("Logout requested")
      end
    end

    def device_webhook_update(req, id)
      return not_found if @version < 9

      with_device(id) do |found|
        body = req.json || {}
        next error(400, "BAD_REQUEST", "webhook_url is required") unless body.key?("webhook_url")

        hook = webhook_view(body.slice(*WEBHOOK_FIELDS).compact)
        @lock.synchronize { @device_webhooks[found[:id]] = hook }
        success("Device webhook updated", hook.merge("device_id" => found[:id]))
      end
    end

    def device_webhook_show(_req, id)
      return not_found if @version < 9

      with_device(id) do |found|
        hook = @lock.synchronize { @device_webhooks[found[:id]] } || {}
        success("Device webhook retrieved", webhook_view(hook).merge("device_id" => found[:id]))
      end
    end

    # The four fields as the gateway answers them ("" and false when unset).
    def webhook_view(hook)
      WEBHOOK_FIELDS.to_h { |k| [k, hook.fetch(k, k == "webhook_insecure_skip_verify" ? false : "")] }
    end

    def with_device(id)
      found = device(id)
      return error(404, "DEVICE_NOT_FOUND", "device #{id} not found") unless found

      yield found
    end

    def qr_for(found)
      on = @lock.synchronize { logged_in_for?(found) }
      return error(400, "ALREADY_LOGGED_IN", "you are already logged in.") if on

      name = "scan-qr-#{SecureRandom.uuid}.png"
      @lock.synchronize { @media["../qrcode/#{name}"] = FakeGateway.png }
      success("Login success", qr_link: "#{url}/statics/qrcode/#{name}", qr_duration: @qr_duration,
                               device_id: found[:id])
    end
  end
end
