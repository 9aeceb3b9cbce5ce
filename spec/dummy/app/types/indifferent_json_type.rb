# frozen_string_literal: true

# Chatwoot reads content_attributes with symbol or string keys alike (a store with an
# indifferent coder); this keeps that on a json/jsonb column without double encoding.
class IndifferentJsonType < ActiveRecord::Type::Json
  def deserialize(value)
    indifferent(super)
  end

  def cast(value)
    indifferent(super)
  end

  private

  def indifferent(value)
    value.is_a?(Hash) ? value.with_indifferent_access : value
  end
end
