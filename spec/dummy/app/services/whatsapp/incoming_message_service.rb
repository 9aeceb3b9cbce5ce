# frozen_string_literal: true

module Whatsapp
  class IncomingMessageService < IncomingMessageBaseService
  end
end
