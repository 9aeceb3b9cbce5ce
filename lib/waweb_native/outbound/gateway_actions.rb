# frozen_string_literal: true

require "base64"
require "uri"

module WawebNative
  module Outbound
    # The gateway's management and chat actions, for the connection page, the console and
    # the inbound glue. Mixed into WhatsappWebService (needs #client and #api_base_url).
    # Unlike send_message these raise WawebNative::Gateway::Error subclasses: the caller
    # shows error.message, which already says what to do.
    module GatewayActions
      # {data_url: "data:image/png;base64,...", expires_in: seconds, device_id:}
      def login_qr
        results = results_of(client.get("/app/login"))
        png = client.get(gateway_path(results["qr_link"])).body.to_s
        { data_url: "data:image/png;base64,#{Base64.strict_encode64(png)}",
          expires_in: results["qr_duration"].to_i, device_id: results["device_id"] }
      end

      # The 8-character code the user types in WhatsApp > Linked devices > Link with phone number.
      def login_with_code(phone)
        digits = phone.to_s.delete("^0-9")
        results_of(client.get("/app/login-with-code", { "phone" => digits }))["pair_code"]
      end

      # {connected:, logged_in:, device_id:}. WhatsApp not logged in is an answer, not an error.
      def connection_status
        results = results_of(client.get("/app/status"))
        { connected: results["is_connected"] == true, logged_in: results["is_logged_in"] == true,
          device_id: results["device_id"] }
      rescue WawebNative::Gateway::NotLoggedInError
        { connected: false, logged_in: false, device_id: nil }
      end

      # [{name:, device:}] as the gateway lists them.
      def devices
        Array(results_of(client.get("/app/devices"))).map do |d|
          { name: d["name"] || d["display_name"], device: d["device"] || d["jid"] || d["id"] }
        end
      end

      def logout # rubocop:disable Naming/PredicateMethod -- an action that answers true
        client.get("/app/logout")
        true
      end

      def reconnect # rubocop:disable Naming/PredicateMethod
        client.get("/app/reconnect")
        true
      end

      # Marks each of our stored source_ids as read in chat. Returns how many were marked.
      def mark_read(source_ids, chat)
        phone = jid(chat)
        ids = Array(source_ids).map(&:to_s).reject(&:empty?)
        ids.each { |id| client.post_json("/message/#{escape(id)}/read", { "phone" => phone }) }
        ids.size
      end

      # An empty emoji removes our reaction. Returns the reaction's message id.
      def react(source_id, emoji, chat)
        message_action(source_id, "reaction", { "phone" => jid(chat), "emoji" => emoji.to_s })
      end

      def revoke(source_id, chat)
        message_action(source_id, "revoke", { "phone" => jid(chat) })
      end

      def edit(source_id, text, chat)
        message_action(source_id, "update", { "phone" => jid(chat), "message" => text.to_s })
      end

      def typing(chat, on) # rubocop:disable Naming/PredicateMethod
        client.post_json("/send/chat-presence", { "phone" => jid(chat), "action" => on ? "start" : "stop" })
        true
      end

      # The profile picture URL, or nil when there is none or it is private.
      def avatar_url(chat)
        url = results_of(client.get("/user/avatar", { "phone" => jid(chat), "is_preview" => "false" }))["url"]
        url.to_s.empty? ? nil : url
      rescue WawebNative::Gateway::RequestError
        nil
      end

      # A user's {jid:, name:, status:, picture_id:} or a group's {jid:, name:, participants:}.
      def contact_info(chat)
        id = jid(chat)
        return group_info(id) if id.end_with?("@g.us")

        results = results_of(client.get("/user/info", { "phone" => id }))
        # Gateways answer {data: [info]}; some forks put the info itself under results.
        info = results["data"].is_a?(Array) ? results["data"].first || {} : results
        { jid: id, name: blank_to_nil(info["verified_name"]) || blank_to_nil(info["name"]),
          status: blank_to_nil(info["status"]), picture_id: blank_to_nil(info["picture_id"]) }
      end

      private

      # whatsmeow's GroupInfo, as the gateway serialises it (capitalised keys), possibly under "data".
      def group_info(id)
        data = results_of(client.get("/group/info", { "group_id" => id }))
        data = data["data"] if data["data"].is_a?(Hash)
        people = Array(data["Participants"] || data["participants"]).map { |p| participant_jid(p) }
        { jid: id, name: blank_to_nil(data["Name"] || data["name"]), participants: people.compact }
      end

      def participant_jid(participant)
        participant.is_a?(Hash) ? participant["JID"] || participant["jid"] : participant.to_s
      end

      def message_action(source_id, action, body)
        results = results_of(client.post_json("/message/#{escape(source_id)}/#{action}", body))
        results.is_a?(Hash) ? results["message_id"] : nil
      end

      # The "results" object of a gateway answer ({} when absent); devices is a list.
      def results_of(response)
        json = response.json
        results = json.is_a?(Hash) ? json["results"] : nil
        results.nil? ? {} : results
      end

      def jid(chat)
        WawebNative::JID.sanitize(chat)
      end

      def escape(id)
        URI.encode_www_form_component(id.to_s)
      end

      def blank_to_nil(value)
        value.to_s.empty? ? nil : value
      end

      # qr_link is an absolute URL as the gateway sees itself (often localhost): keep only
      # its path, minus the base path already in api_base_url (APP_BASE_PATH).
      def gateway_path(link)
        uri = URI.parse(link.to_s)
        path = uri.path.to_s
        path = "/#{path}" unless path.start_with?("/")
        base = URI.parse(api_base_url).path.to_s.chomp("/")
        path = path.delete_prefix(base) if !base.empty? && path.start_with?("#{base}/")
        uri.query ? "#{path}?#{uri.query}" : path
      end
    end
  end
end
