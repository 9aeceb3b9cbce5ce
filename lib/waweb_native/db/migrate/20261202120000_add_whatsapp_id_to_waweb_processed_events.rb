# frozen_string_literal: true

# A reply the gem sends as several WhatsApp messages records each delivered part in the
# ledger (WawebNative::Outbound::DeliveredParts): the key names the Chatwoot message and the
# part, so a retry finds it exactly; the WhatsApp id it went out as needs a column of its
# own, indexed, so a receipt or a reaction naming that id finds the message.
class AddWhatsappIdToWawebProcessedEvents < ActiveRecord::Migration[7.0]
  def change
    add_column :waweb_processed_events, :whatsapp_id, :string, if_not_exists: true
    add_index :waweb_processed_events, %i[inbox_id whatsapp_id], where: "whatsapp_id IS NOT NULL", if_not_exists: true
  end
end
