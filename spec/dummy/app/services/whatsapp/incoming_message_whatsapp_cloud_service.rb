# frozen_string_literal: true

module Whatsapp
  class IncomingMessageWhatsappCloudService < IncomingMessageBaseService
  end
end
