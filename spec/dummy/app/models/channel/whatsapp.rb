# frozen_string_literal: true

module Channel
  class Whatsapp < ApplicationRecord
    include Reauthorizable

    self.table_name = "channel_whatsapp"

    # The inclusion validator below keeps a reference to this very array.
    PROVIDERS = %w[default whatsapp_cloud].freeze

    before_validation :ensure_webhook_verify_token

    belongs_to :account
    has_one :inbox, as: :channel, dependent: :destroy

    validates :provider, inclusion: { in: PROVIDERS }
    validates :phone_number, presence: true, uniqueness: true
    validate :validate_provider_config

    after_create :sync_templates

    delegate :send_message, :send_template, :sync_templates, :media_url, :api_headers, to: :provider_service

    def name
      "Whatsapp"
    end

    def provider_service
      if provider == "whatsapp_cloud"
        ::Whatsapp::Providers::WhatsappCloudService.new(whatsapp_channel: self)
      else
        ::Whatsapp::Providers::Whatsapp360DialogService.new(whatsapp_channel: self)
      end
    end

    def mark_message_templates_updated
      update_column(:message_templates_last_updated, Time.zone.now)
    end

    private

    def ensure_webhook_verify_token
      return unless provider == "whatsapp_cloud"

      self.provider_config ||= {}
      provider_config["webhook_verify_token"] ||= SecureRandom.hex(16)
    end

    def validate_provider_config
      errors.add(:provider_config, "Invalid Credentials") unless provider_service.validate_provider_config?
    end
  end
end
