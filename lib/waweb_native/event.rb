# frozen_string_literal: true

module WawebNative
  # A classified webhook (built by Payload.classify; the readers are defined in C).
  # Absent fields read as nil, including ids and participants.
  class Event
    FIELDS = %i[
      format kind event_name device_id message_id chat sender sender_lid push_name text caption
      timestamp from_me reply_to_id media_path media_url mime_type filename contact_name
      contact_phone vcard latitude longitude location_name emoji target_id receipt_type ids
      group_action participants group_name display_name session_id
    ].freeze

    # Only the fields that were sent (from_me under :from_me).
    def to_h
      FIELDS.each_with_object({}) do |name, hash|
        value = name == :from_me ? from_me? : public_send(name)
        hash[name] = value unless value.nil?
      end
    end

    INSPECT_SKIP = %i[format kind vcard].freeze
    private_constant :INSPECT_SKIP

    def inspect
      details = to_h.except(*INSPECT_SKIP).map do |name, value|
        value = "#{value[0, 40]}..." if value.is_a?(String) && value.length > 43
        "#{name}=#{value.inspect}"
      end
      "#<#{self.class.name} #{format} #{kind}#{details.map { |d| " #{d}" }.join}>"
    end
  end
end
