# frozen_string_literal: true

class FakeGateway
  # The REST endpoints of gateway-contract.md; handlers take the recorded request and the
  # route's captures.
  module Endpoints
    private

    def app_status(req)
      found = selected_device(req)
      on = current_logged_in?
      success("Connection status", is_connected: on, is_logged_in: on, device_id: found[:jid])
    end

    def reconnect(_req) = success("Reconnect success")

    def app_devices(_req)
      success("Fetch device success", @devices.map { |d| { name: d[:display_name], device: d[:jid] } })
    end

    def logout(req)
      return not_logged_in unless current_logged_in?

      found = selected_device(req)
      @lock.synchronize { set_logged_in(found, false) }
      success("Success logout")
    end

    def app_login(req) = qr_for(selected_device(req))

    def app_login_with_code(req)
      return error(400, "ALREADY_LOGGED_IN", "you are already logged in.") if current_logged_in?

      phone = req.query["phone"].to_s
      return error(400, "VALIDATION_ERROR", "phone: cannot be blank.") if phone.empty?

      success("Login with code success", pair_code: "#{random_letters(4)}-#{random_letters(4)}")
    end

    def send_media(req, kind)
      logged_in_only do
        params = req.json || req.fields
        file = req.files.find { |f| f.name == kind }
        validate_phone(params["phone"]) || media_problem(kind, file, params["#{kind}_url"]) || sent(params["phone"])
      end
    end

    def send_json(req, kind)
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

    def message_action(req, id, action)
      logged_in_only do
        body = req.json || {}
        problem = validate_phone(body["phone"]) || action_problem(action, id, body)
        next problem if problem

        success("#{action} success", message_id: action == "read" ? id : new_message_id, status: "#{action} #{id}")
      end
    end

    def user(req, kind)
      logged_in_only do
        phone = req.query["phone"]
        bad = validate_phone(phone)
        next bad if bad
        next success("Success check user", is_on_whatsapp: !@not_on_whatsapp.include?(phone)) if kind == "check"
        next error(400, "INVALID_JID", "phone #{phone} is not on whatsapp") if @not_on_whatsapp.include?(phone)
        next avatar(phone) if kind == "avatar"

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
  end
end
