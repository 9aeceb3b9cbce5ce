# frozen_string_literal: true

module WawebNative
  module Inbound
    # Finds or creates the Contact and ContactInbox a JID stands for in one
    # whatsapp_web inbox, by jid-rules.md:
    # - a phone JID is looked up under every Brazil ninth-digit form, first as a
    #   ContactInbox#source_id of this inbox, then as an account contact's phone
    #   number or identifier, so one person stays one contact;
    # - a LID that arrives together with a phone is remembered as an alias: a second
    #   ContactInbox of the same contact whose source_id is the LID ("...@lid"). A later
    #   LID-only message finds that row, and through it the contact and its phone
    #   ContactInbox (the "primary" one, which conversations use). The unique index on
    #   (inbox_id, source_id) keeps one LID from pointing at two contacts.
    # - a group JID is a contact of its own (the group), named after the group.
    # Names come from the push name only while the contact has no real name (blank, or
    # its phone number or JID as placeholder): a name an agent typed is never replaced.
    class ContactResolver
      def initialize(inbox)
        @inbox = inbox
      end

      # jid: a WawebNative::JID (user, lid or group). lid: an alias JID, or nil.
      # Returns the primary ContactInbox, or nil for JIDs that never become contacts.
      def resolve(jid, lid: nil, name: nil)
        case jid.kind
        when :user then resolve_phone(jid, lid, name)
        when :lid then resolve_lid(jid, name)
        when :group then resolve_group(jid, name)
        end
      end

      # The ContactInbox a JID already has in this inbox (alias LIDs lead to the primary), or nil.
      def existing(jid)
        sources = jid.kind == :user ? SourceId.phone_variants(jid) : [jid.source_id]
        found = contact_inboxes.where(source_id: sources).order(:id).first
        found && primary_for(found)
      end

      private

      def contact_inboxes
        ::ContactInbox.where(inbox_id: @inbox.id)
      end

      def resolve_phone(jid, lid, name)
        variants = SourceId.phone_variants(jid)
        primary = contact_inboxes.where(source_id: variants).order(:id).first
        primary ||= attach_phone(lid && lid_contact(lid), jid)
        primary ||= attach_phone(account_contact(jid, variants), jid)
        primary ||= create_contact(jid, name: name, phone: jid.phone)
        remember_lid(primary.contact, lid) if lid
        adopt_name(primary.contact, name)
        primary
      end

      def resolve_lid(jid, name)
        found = contact_inboxes.find_by(source_id: jid.source_id)
        primary = found ? primary_for(found) : create_contact(jid, name: name)
        adopt_name(primary.contact, name)
        primary
      end

      def resolve_group(jid, name)
        primary = contact_inboxes.find_by(source_id: jid.source_id) || create_contact(jid, name: name)
        adopt_name(primary.contact, name)
        primary
      end

      # A contact's phone ContactInbox in this inbox when it has one, else the row found.
      def primary_for(contact_inbox)
        return contact_inbox unless contact_inbox.source_id.end_with?("@lid")

        contact_inboxes.where(contact_id: contact_inbox.contact_id).order(:id).to_a
                       .find { |ci| SourceId::PHONE.match?(ci.source_id) } || contact_inbox
      end

      def lid_contact(lid)
        contact_inboxes.find_by(source_id: lid.source_id)&.contact
      end

      def account_contact(jid, variants)
        contacts = ::Contact.where(account_id: @inbox.account_id)
        identifiers = variants.map { |digits| "#{digits}@s.whatsapp.net" }
        contacts.where(phone_number: variants.map { |digits| "+#{digits}" }).order(:id).first ||
          contacts.where(identifier: identifiers | [jid.to_s]).order(:id).first
      end

      def attach_phone(contact, jid)
        return nil if contact.nil?

        contact.update!(phone_number: jid.phone) if contact.phone_number.blank? && !phone_taken?(jid.phone)
        contact_inboxes.create!(contact: contact, source_id: jid.source_id)
      end

      def phone_taken?(phone)
        ::Contact.where(account_id: @inbox.account_id, phone_number: phone).exists?
      end

      def create_contact(jid, name:, phone: nil)
        contact = ::Contact.create!(account_id: @inbox.account_id, name: name.presence || placeholder_name(jid),
                                    phone_number: phone, identifier: unique_identifier(jid))
        contact_inboxes.create!(contact: contact, source_id: jid.source_id)
      end

      # Chatwoot keeps identifiers unique per account; a JID already used by a contact
      # in another inbox's account scope is left off rather than failing the message.
      def unique_identifier(jid)
        taken = ::Contact.where(account_id: @inbox.account_id, identifier: jid.to_s).exists?
        taken ? nil : jid.to_s
      end

      def remember_lid(contact, lid)
        return if contact_inboxes.exists?(source_id: lid.source_id)

        contact_inboxes.create!(contact: contact, source_id: lid.source_id)
      end

      def adopt_name(contact, name)
        name = name.to_s.strip
        return if name.empty? || contact.name == name || !placeholder?(contact)

        contact.update!(name: name)
      end

      def placeholder?(contact)
        current = contact.name.to_s.strip
        current.empty? || current == contact.phone_number.to_s || current == contact.identifier.to_s ||
          current.match?(/\A\+?\d+(@[a-z.]+)?\z/)
      end

      def placeholder_name(jid)
        jid.phone || jid.to_s
      end
    end
  end
end
