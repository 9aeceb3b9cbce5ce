# frozen_string_literal: true

module Events
  # Chatwoot's event object: listeners are called by the event's name with "." made "_".
  class Base
    attr_accessor :data
    attr_reader :name, :timestamp

    def initialize(name, timestamp, data)
      @name = name
      @data = data
      @timestamp = timestamp
    end

    def method_name
      name.to_s.tr(".", "_")
    end
  end
end
