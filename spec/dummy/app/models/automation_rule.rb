# frozen_string_literal: true

class AutomationRule < ApplicationRecord
  belongs_to :account
end
