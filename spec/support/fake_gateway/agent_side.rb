# frozen_string_literal: true

class FakeGateway
  # What the gateway knows for the agent-side actions: revokes WhatsApp refuses, profile
  # pictures (none, private, or bytes), and media kept for GET /message/:id/download
  # (auto-download off). Every call is recorded like any other request.
  module AgentSide
    # whatsmeow's own errors, as the gateway passes them on (HTTP 500).
    NO_PICTURE = "that user has no profile picture"
    PRIVATE_PICTURE = "the user has hidden their profile picture from you"

    # Revokes of this message id answer status (500: the gateway passes WhatsApp's refusal on).
    def refuse_revoke(id, status: 500, message: "message is too old to be revoked")
      @lock.synchronize { agent_side[:refused][id.to_s] = [status, message] }
      self
    end

    # picture: :none, :private, or the picture's bytes (default for unknown phones: a PNG).
    def set_avatar(phone, picture)
      @lock.synchronize { agent_side[:avatars][phone.to_s] = picture }
      self
    end

    # Media the gateway can still fetch from WhatsApp for message `id` in `chat` (bytes nil:
    # the download answers, but the file is gone from /statics/).
    def add_downloadable(id, chat, name, bytes)
      @lock.synchronize { agent_side[:downloads][id.to_s] = [chat.to_s, name] }
      add_media(name, bytes) if bytes
    end

    private

    def agent_side
      @agent_side ||= { refused: {}, avatars: {}, downloads: {} }
    end

    # An edit without text, or a revoke WhatsApp refuses.
    def action_problem(action, id, body)
      return revoke_refusal(id) if action == "revoke"

      error(400, "VALIDATION_ERROR", "message: cannot be blank.") if action == "update" && body["message"].to_s.empty?
    end

    def revoke_refusal(id)
      status, message = @lock.synchronize { agent_side[:refused][id.to_s] }
      status && error(status, status >= 500 ? "INTERNAL_SERVER_ERROR" : "VALIDATION_ERROR", message)
    end

    def avatar(phone)
      picture = @lock.synchronize { agent_side[:avatars][phone.to_s] }
      return error(500, "INTERNAL_SERVER_ERROR", NO_PICTURE) if picture == :none
      return error(500, "INTERNAL_SERVER_ERROR", PRIVATE_PICTURE) if picture == :private

      success("Success get avatar", url: add_media("avatar-#{phone}.jpg", picture || FakeGateway.png), id: "1",
                                    type: "image")
    end

    def message_download(req, id)
      logged_in_only do
        phone = req.query["phone"].to_s
        next error(400, "VALIDATION_ERROR", "phone: cannot be blank.") if phone.empty?

        chat, name = @lock.synchronize { agent_side[:downloads][id] }
        next error(404, "NOT_FOUND", "message #{id} not found") if chat.nil? || chat != phone

        bytes = @lock.synchronize { @media[name] }
        success("Media downloaded successfully",
                message_id: id, status: "downloaded", media_type: File.extname(name).delete_prefix("."),
                filename: name, file_path: "statics/media/#{name}", file_url: "#{url}/statics/media/#{name}",
                file_size: bytes.to_s.bytesize)
      end
    end
  end
end
