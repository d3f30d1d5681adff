#pragma once

#include <QDialog>

#include "clients/desktop/api/api_client.h"

class QLabel;
class QLineEdit;
class QPushButton;

namespace branchline::desk {

// Login and password; signs in asynchronously and stays open with the server's reason when
// the sign-in fails (wrong password, server unreachable, too many attempts).
class SignInDialog : public QDialog {
  Q_OBJECT

 public:
  SignInDialog(ApiClient* api, QWidget* parent = nullptr);

  QLineEdit* login_edit() const { return login_; }
  QLineEdit* password_edit() const { return password_; }
  QPushButton* sign_in_button() const { return button_; }
  QString error_text() const;

 signals:
  void SignedIn(const branchline::v1::SignInResponse& response);

 private:
  void SignIn();

  ApiClient* api_;
  QLineEdit* login_;
  QLineEdit* password_;
  QPushButton* button_;
  QLabel* error_;
};

}  // namespace branchline::desk
