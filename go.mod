module github.com/atiende/atiende

go 1.26.0
