#include "clients/desktop/views/sign_in_dialog.h"

#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace branchline::desk {

SignInDialog::SignInDialog(ApiClient* api, QWidget* parent) : QDialog(parent), api_(api) {
  setWindowTitle(QStringLiteral("登录 Sign in — Branchline"));
  auto* form = new QFormLayout;
  login_ = new QLineEdit;
  password_ = new QLineEdit;
  password_->setEchoMode(QLineEdit::Password);
  form->addRow(QStringLiteral("服务器 Server"), new QLabel(api->server_address()));
  form->addRow(QStringLiteral("账号 Login"), login_);
  form->addRow(QStringLiteral("密码 Password"), password_);
  button_ = new QPushButton(QStringLiteral("登录 Sign in"));
  button_->setDefault(true);
  error_ = new QLabel;
  error_->setWordWrap(true);
  error_->setStyleSheet(QStringLiteral("color:#b00020"));
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(form);
  layout->addWidget(error_);
  layout->addWidget(button_);
  connect(button_, &QPushButton::clicked, this, &SignInDialog::SignIn);
  connect(password_, &QLineEdit::returnPressed, this, &SignInDialog::SignIn);
}

QString SignInDialog::error_text() const { return error_->text(); }

void SignInDialog::SignIn() {
  if (login_->text().trimmed().isEmpty()) {
    error_->setText(QStringLiteral("请输入账号 Enter your login."));
    return;
  }
  v1::SignInRequest request;
  request.set_login(login_->text().trimmed().toStdString());
  request.set_password(password_->text().toStdString());
  button_->setEnabled(false);
  error_->setText(QStringLiteral("正在登录… Signing in…"));
  api_->Call(
      this, &v1::AuthService::Stub::SignIn, request,
      [this](const v1::SignInResponse& response) {
        button_->setEnabled(true);
        error_->clear();
        api_->SetAccessToken(response.access_token());
        emit SignedIn(response);
        accept();
      },
      [this](const QString& message) {
        button_->setEnabled(true);
        error_->setText(message);
      });
}

}  // namespace branchline::desk
