# frozen_string_literal: true

class Attachment < ApplicationRecord
  include Rails.application.routes.url_helpers

  enum :file_type, {
    image: 0, audio: 1, video: 2, file: 3, location: 4, fallback: 5, share: 6, story_mention: 7, contact: 8
  }

  belongs_to :account
  belongs_to :message
  has_one_attached :file

  validates :external_url, length: { maximum: 1000 }

  def download_url
    if ActiveStorage::Current.url_options.blank?
      ActiveStorage::Current.url_options = Rails.application.routes.default_url_options
    end
    file.attached? ? url_for(file) : ""
  end
end
